// `marketsage plugins check FILE.so`: does a plugin honour the ABI? Runs in a child process.
#include "plugins/ElfSymbols.h"
#include "plugins/LoadedPlugin.h"
#include "plugins/PluginRegistry.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace marketsage::plugins {

namespace {

constexpr std::chrono::seconds kCheckTimeout{120};

/// Writes report lines from the child to the pipe, unbuffered, so that the parent has every line
/// written before a crash. Line kinds: "ok", "FAIL", "info", and "step" (what is being done now;
/// not shown, used to say where a crash or hang happened).
class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  void ok(const std::string& s) { line("ok   " + s); }
  void fail(const std::string& s) {
    ++failures;
    line("FAIL " + s);
  }
  void info(const std::string& s) { line("info " + s); }
  void step(const std::string& s) { line("step " + s); }
  int failures = 0;

 private:
  void line(std::string s) {
    for (auto& c : s)
      if (c == '\n' || c == '\r') c = ' ';
    s += '\n';
    for (std::size_t done = 0; done < s.size();) {
      const ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  int fd_;
};

struct BadInput {
  std::string name;
  std::string text;
  bool null = false;    // pass a NULL pointer
  bool object = false;  // a well-formed JSON object (a function that takes no fields may accept it)
};

/// api_version takes {}: its only bad inputs are those that are not a JSON object.
bool takesNoFields(Operation op) { return op == Operation::ApiVersion; }

std::vector<BadInput> badInputs() {
  std::vector<BadInput> v;
  v.push_back({"NULL request", "", true});
  v.push_back({"empty request", ""});
  v.push_back({"invalid JSON", R"({"content": "unterminated)"});
  v.push_back({"JSON that is not an object", "[1,2,3]"});
  v.push_back({"empty object", "{}", false, true});
  v.push_back({"fields of the wrong type",
               R"({"accessToken":[],"refreshToken":null,"account":"x","content":42,"media":{},)"
               R"("code":false,"redirectUri":1,"state":{},"postId":{},"postIds":"x","path":7,)"
               R"("start":5,"end":true,"metrics":"x","instance":3})",
               false, true});
  v.push_back({"invalid UTF-8", "{\"content\":\"\xff\xfe\xfd\",\"accessToken\":\"\xc3\x28\"}"});
  v.push_back({"deeply nested JSON", std::string(100000, '[') + std::string(100000, ']')});
  v.push_back(
      {"huge strings",
       R"({"accessToken":")" + std::string(1 << 20, 'a') + R"(","content":")" + std::string(4 << 20, 'a') + R"("})",
       false, true});
  std::string garbage(4 << 20, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131) & 0xff);
  v.push_back({"4 MiB of binary garbage", std::move(garbage)});
  return v;
}

/// One problem found in a call's result, or empty when it is the expected invalid_input.
std::string judge(const CallResult& r) {
  if (r.kind == ErrorKind::PluginFault) return r.message;
  if (r.kind != ErrorKind::InvalidInput)
    return "returned " + std::string(toString(r.kind)) + " (" + std::to_string(r.status) + "), expected invalid_input" +
           (r.message.empty() ? "" : ": " + r.message.substr(0, 200));
  return {};
}

int runChecks(const std::filesystem::path& so, int fd) {
  Reporter rep(fd);
  rep.step("loading the library");
  std::string error;
  auto plugin = LoadedPlugin::open(so, error);
  if (!plugin) {
    rep.fail("load: " + error);
    return 1;
  }
  const PluginInfo& info = plugin->info();
  // plugin.h promises exactly one exported symbol: anything more can clash with the host's or
  // another plugin's symbols (libstdc++ template instances are the usual leak).
  if (const auto exported = exportedSymbols(so); !exported) {
    rep.info("the exported symbols could not be read (not a 64-bit little-endian ELF file)");
  } else if (exported->size() != 1 || exported->front() != MS_PLUGIN_ENTRY_SYMBOL) {
    std::string list;
    for (std::size_t i = 0; i < exported->size() && i < 8; ++i) list += (i ? ", " : "") + (*exported)[i];
    if (exported->size() > 8) list += ", …";
    rep.fail("exports " + std::to_string(exported->size()) +
             " symbols where only " MS_PLUGIN_ENTRY_SYMBOL " may be exported (" + list +
             "): link with a version script, as marketsage_add_plugin() does");
  } else {
    rep.ok("exports exactly one symbol, " MS_PLUGIN_ENTRY_SYMBOL);
  }
  rep.ok("entry symbol " MS_PLUGIN_ENTRY_SYMBOL ", ABI " + std::to_string(info.abiMajor) + "." +
         std::to_string(info.abiMinor) + " (host implements " + std::to_string(MS_ABI_VERSION_MAJOR) + "." +
         std::to_string(MS_ABI_VERSION_MINOR) + ")");
  rep.ok("descriptor: id '" + info.id + "', name '" + info.name + "', version " + info.version + ", " + info.status);
  const std::uint32_t caps = plugin->entry().descriptor->capabilities;
  std::string names;
  for (const auto& c : info.capabilities) names += (names.empty() ? "" : ", ") + c;
  rep.info("capabilities: " + (names.empty() ? std::string("none") : names));
  // Every MS_CAP_* of this header: the flags are consecutive bits, the last is the newest.
  constexpr std::uint32_t knownCapabilities = (std::uint32_t{MS_CAP_APP_REGISTRATION} << 1U) - 1U;
  if ((caps & ~knownCapabilities) != 0U) {
    std::ostringstream hex;
    hex << std::hex << (caps & ~knownCapabilities);
    rep.fail("descriptor announces capability bits unknown to ABI " + std::to_string(MS_ABI_VERSION_MAJOR) + "." +
             std::to_string(MS_ABI_VERSION_MINOR) + ": 0x" + hex.str());
  }

  rep.step("init");
  LogSink log = [&rep](int level, std::string_view, std::string_view message) {
    if (level >= MS_LOG_WARN) rep.info("plugin log: " + std::string(message.substr(0, 300)));
  };
  HostOptions options;
  options.allowNetwork = false;
  auto services = std::make_unique<HostServices>(info.id, boost::json::object{{"enabled", true}}, log, options);
  if (!plugin->start(std::move(services), error)) {
    rep.fail("start with empty settings: " + error);
    return 1;
  }
  rep.ok("init with empty settings, and every announced extension is complete");

  rep.step("get_extension with an unknown id");
  std::string thrown;
  const void* unknown = plugin->extension("marketsage.no-such-extension/1", &thrown);
  if (!thrown.empty())
    rep.fail("get_extension(unknown id): " + thrown);
  else if (unknown != nullptr)
    rep.fail("get_extension(unknown id) must return NULL");
  else
    rep.ok("get_extension(unknown id) returns NULL");

  if (plugin->function(Operation::Validate)) {
    // validate must work offline: a plain post gets ok or invalid_input, with a JSON reply.
    rep.step("validate with a plain post");
    const std::string post = R"({"content":"Hello from marketsage plugins check","media":[]})";
    const CallResult r = invokePlugin(*plugin, Operation::Validate, post.data(), post.size());
    if (r.kind == ErrorKind::PluginFault)
      rep.fail("validate with a plain post: " + r.message);
    else if (r.kind != ErrorKind::Ok && r.kind != ErrorKind::InvalidInput)
      rep.fail("validate with a plain post returned " + std::string(toString(r.kind)) +
               " (validate must not need the network or a token)");
    else
      rep.ok("validate with a plain post answers " + std::string(toString(r.kind)) + " offline");
  }

  const auto inputs = badInputs();
  for (Operation op : allOperations()) {
    if (!plugin->function(op)) continue;
    const std::string opName(toString(op));
    int bad = 0;
    for (const auto& in : inputs) {
      rep.step(opName + " with " + in.name);
      const CallResult r = invokePlugin(*plugin, op, in.null ? nullptr : in.text.data(), in.null ? 0 : in.text.size());
      const bool lenient = in.object && takesNoFields(op);  // any answer but a fault will do
      if (auto problem = lenient ? (r.kind == ErrorKind::PluginFault ? r.message : "") : judge(r); !problem.empty()) {
        rep.fail(std::string(opName).append(" with ").append(in.name).append(": ").append(problem));
        ++bad;
      }
    }
    if (bad == 0)
      rep.ok(opName + ": " + std::to_string(inputs.size()) + " kinds of bad input answered as the ABI says");

    rep.step(opName + " from 8 threads at once");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    threads.reserve(8);
    const std::string_view refused = takesNoFields(op) ? "[1]" : "{}";
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i)
          if (!judge(invokePlugin(*plugin, op, refused.data(), refused.size())).empty()) ++wrong;
      });
    for (auto& t : threads) t.join();
    if (wrong)
      rep.fail(opName + " from 8 threads: " + std::to_string(wrong.load()) + " of 200 calls answered wrongly");
    else
      rep.ok(opName + ": 200 concurrent calls answered consistently");
  }

  rep.step("deinit");
  if (!plugin->stop(error))
    rep.fail(error);
  else
    rep.ok("deinit");
  rep.step("unloading the library");
  plugin.reset();
  return rep.failures == 0 ? 0 : 1;
}

}  // namespace

int checkPlugin(const std::filesystem::path& so, std::ostream& out, std::ostream& err) {
  out << "marketsage plugins check " << so.string() << "\n";
  out.flush();
  err.flush();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    err << "plugins check: cannot create a pipe: " << std::strerror(errno) << "\n";
    return 1;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    err << "plugins check: cannot fork: " << std::strerror(errno) << "\n";
    ::close(fds[0]);
    ::close(fds[1]);
    return 1;
  }
  if (pid == 0) {
    ::close(fds[0]);
    // A crash must end this child with its signal, not in a handler inherited from the parent
    // (test frameworks, crash reporters), and must not leave a core file behind.
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS}) ::signal(sig, SIG_DFL);
    const rlimit noCore{0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    int rc = 1;
    try {
      rc = runChecks(so, fds[1]);
    } catch (const std::exception& e) {
      Reporter(fds[1]).fail(std::string("C++ exception escaped the plugin: ") + e.what());
    } catch (...) {
      Reporter(fds[1]).fail("unknown exception escaped the plugin");
    }
    ::_exit(rc);  // no atexit handlers, no flushing of the parent's buffers
  }
  ::close(fds[1]);

  int failures = 0, passes = 0;
  std::string pending, step;
  bool timedOut = false;
  const auto deadline = std::chrono::steady_clock::now() + kCheckTimeout;
  auto consume = [&](const std::string& line) {
    if (line.rfind("step ", 0) == 0) {
      step = line.substr(5);
      return;
    }
    if (line.rfind("FAIL ", 0) == 0) ++failures;
    if (line.rfind("ok ", 0) == 0) ++passes;
    out << "  " << line << "\n";
  };
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
      consume(pending.substr(0, nl));
  }
  ::close(fds[0]);
  if (timedOut) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  int problems = failures;
  if (timedOut) {
    out << "  FAIL no answer within " << kCheckTimeout.count() << " s while: " << step << "\n";
    ++problems;
  } else if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    out << "  FAIL the plugin crashed (signal " << sig << ", " << ::strsignal(sig) << ") while: " << step << "\n";
    ++problems;
  } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && failures == 0) {
    out << "  FAIL the check process ended with status " << WEXITSTATUS(status) << " while: " << step << "\n";
    ++problems;
  }
  const bool passed = problems == 0;
  if (passed) {
    out << "result: PASS (" << passes << " checks)\n";
    return 0;
  }
  out << "result: FAIL (" << problems << " problem" << (problems == 1 ? "" : "s") << ")\n";
  err << "plugins check: " << so.string() << " does not honour the plugin ABI (" << problems << " problem"
      << (problems == 1 ? "" : "s") << ", see the report)\n";
  return 1;
}

}  // namespace marketsage::plugins
