// Tests of the plugin ABI (plugin-api/), the loader (host/plugins/) and the SDK example plugin.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "CreateFaults.h"
#include "TestServer.h"

#include "plugins/HostServices.h"
#include "plugins/PluginRegistry.h"

#include <marketsage/plugin.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace marketsage::plugins;
using marketsage::test::sendJson;
using marketsage::test::TestServer;

namespace {

fs::path fixture(const std::string& id) { return fs::path(FIXTURE_DIR) / ("lib" + id + ".so"); }
const fs::path examplePlugin{EXAMPLE_PLUGIN};

/// Collects log lines (thread-safe).
struct Logs {
  std::mutex mutex;
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](int level, std::string_view id, std::string_view message) {
      std::lock_guard lock(mutex);
      lines.push_back(std::to_string(level) + " [" + std::string(id) + "] " + std::string(message));
    };
  }
  bool contains(const std::string& text) {
    std::lock_guard lock(mutex);
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

SettingsLookup settingsFrom(std::map<std::string, PluginSettings> map) {
  return [map = std::move(map)](const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? PluginSettings{} : it->second;
  };
}

PluginSettings settings(json::object values, bool enabled = true) { return PluginSettings{enabled, std::move(values)}; }

/// A fresh temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("marketsage-plugin-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path copy(const fs::path& from, const std::string& name) const {
    fs::copy_file(from, path / name, fs::copy_options::overwrite_existing);
    return path / name;
  }
};

bool hasError(const PluginRegistry& r, const std::string& text) {
  for (const auto& e : r.loadErrors())
    if (e.find(text) != std::string::npos) return true;
  return false;
}

std::string readAll(std::istream& in) {
  std::string s;
  Poco::StreamCopier::copyToString(in, s);
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Versioning and struct sizes
// ---------------------------------------------------------------------------------------------

TEST_CASE("ms_abi_compatible: same major, plugin minor not newer than the host's", "[abi]") {
  auto [hostMajor, hostMinor, pluginMajor, pluginMinor, ok] =
      GENERATE(table<uint32_t, uint32_t, uint32_t, uint32_t, bool>({
          {1, 0, 1, 0, true},
          {1, 5, 1, 0, true},  // a 1.0 plugin works in a 1.5 host
          {1, 5, 1, 5, true},
          {1, 0, 1, 5, false},  // a 1.5 plugin is refused by a 1.0 host
          {1, 0, 2, 0, false},
          {2, 0, 1, 0, false},
          {1, 0, 0, 9, false},
      }));
  CAPTURE(hostMajor, hostMinor, pluginMajor, pluginMinor);
  CHECK(static_cast<bool>(ms_abi_compatible(hostMajor, hostMinor, pluginMajor, pluginMinor)) == ok);
}

TEST_CASE("ms_struct_copy zero-extends a smaller struct and truncates a larger one", "[abi]") {
  ms_http_response small{};
  small.struct_size = static_cast<uint32_t>(offsetof(ms_http_response, headers));
  small.status = 7;
  small.headers = reinterpret_cast<const ms_sink*>(1);  // beyond struct_size: must not be copied
  ms_http_response copy;
  CHECK(ms_struct_copy(&copy, sizeof copy, &small) == offsetof(ms_http_response, headers));
  CHECK(copy.status == 7);
  CHECK(copy.headers == nullptr);
  CHECK_FALSE(MS_HAS_FIELD(&small, ms_http_response, headers));
  CHECK(MS_HAS_FIELD(&small, ms_http_response, body));
}

TEST_CASE("a plugin built for another ABI major is refused, and the host keeps running", "[loader]") {
  Logs logs;
  PluginRegistry registry(settingsFrom({}), logs.sink());
  CHECK_FALSE(registry.loadFile(fixture("fixture_major2")));
  CHECK(hasError(registry, "built against plugin ABI 2." + std::to_string(MS_ABI_VERSION_MINOR) +
                               ", this host implements 1." + std::to_string(MS_ABI_VERSION_MINOR) +
                               " (different major version): refused"));
  CHECK(logs.contains("plugin refused"));
  CHECK(registry.list().empty());
  CHECK(registry.get("fixture_major2") == nullptr);
  CHECK(registry.loadFile(fixture("fixture_good")));  // still running, still loading
  CHECK(registry.get("fixture_good") != nullptr);
}

TEST_CASE("a plugin built for a newer ABI minor is refused", "[loader]") {
  Logs logs;
  PluginRegistry registry(settingsFrom({}), logs.sink());
  CHECK_FALSE(registry.loadFile(fixture("fixture_newer_minor")));
  CHECK(hasError(registry, "built against plugin ABI 1." + std::to_string(MS_ABI_VERSION_MINOR + 1) +
                               ", newer than this host's 1." + std::to_string(MS_ABI_VERSION_MINOR) + ": refused"));
  CHECK(registry.list().empty());
}

TEST_CASE("a plugin built against older, smaller structs still works", "[loader][abi]") {
  TestServer server([](auto&, auto& resp) { sendJson(resp, 429, R"({"x":1})", "Retry-After", "9"); });
  Logs logs;
  PluginRegistry registry(settingsFrom({}), logs.sink());
  REQUIRE(registry.loadFile(fixture("fixture_old")));
  auto plugin = registry.get("fixture_old");
  REQUIRE(plugin);
  // Descriptor fields beyond its struct_size are absent: default status, no description,
  // even though the bytes there say "experimental" / "A test fixture.".
  CHECK(plugin->info().status == "stable");
  CHECK(plugin->info().description.empty());
  // The oauth extension ends before revoke: revoke is unsupported, its (poisoned) pointer unused.
  CHECK(plugin->supports(Operation::AuthorizeUrl));
  CHECK_FALSE(plugin->supports(Operation::RevokeToken));
  CHECK(plugin->call(Operation::RevokeToken, json::object{{"n", 1}}).kind == ErrorKind::NotSupported);
  CHECK(plugin->call(Operation::Publish, json::object{{"n", 1}}).ok());
  // Its ms_http_response ends after the body sink: the host must not touch the later sinks
  // (they hold poison pointers) and must still fill the status.
  auto r = plugin->call(Operation::Publish, json::object{{"n", 1}, {"mode", "http"}, {"url", server.url() + "/x"}});
  REQUIRE(r.ok());
  CHECK(r.json.at("status").as_int64() == 429);
  CHECK(r.json.at("result").as_int64() == MS_OK);
  CHECK(r.json.at("bodyBytes").as_int64() == 7);
  CHECK(r.json.at("retryAfter").as_string() == "");  // headers sink absent: nothing written
}

TEST_CASE("a library without the entry symbol, or not a library at all, is refused", "[loader]") {
  TempDir dir;
  std::ofstream(dir.path / "libjunk.so") << "not an ELF file";
  PluginRegistry registry(settingsFrom({}), nullptr);
  CHECK_FALSE(registry.loadFile(fixture("fixture_no_entry")));
  CHECK(hasError(registry, "no exported symbol marketsage_plugin_entry"));
  CHECK_FALSE(registry.loadFile(dir.path / "libjunk.so"));
  CHECK(hasError(registry, "cannot load the library"));
  CHECK(registry.list().empty());
}

TEST_CASE("a plugin whose init fails or whose announced extension is missing is refused", "[loader]") {
  Logs logs;
  PluginRegistry registry(settingsFrom({}), logs.sink());
  CHECK_FALSE(registry.loadFile(fixture("fixture_init_fail")));
  CHECK(hasError(registry, "init failed with status -6"));
  CHECK_FALSE(registry.loadFile(fixture("fixture_missing_ext")));
  CHECK(
      hasError(registry, "announces capability 'insights' but get_extension(\"marketsage.insights/1\") returned NULL"));
  CHECK(registry.enabled().empty());
}

// ---------------------------------------------------------------------------------------------
// Misbehaving plugins
// ---------------------------------------------------------------------------------------------

TEST_CASE("invalid JSON, unknown status codes and escaping exceptions become plugin faults", "[loader]") {
  Logs logs;
  PluginRegistry registry(settingsFrom({}), logs.sink());
  REQUIRE(registry.loadFile(fixture("fixture_bad_json")));
  REQUIRE(registry.loadFile(fixture("fixture_unknown_code")));
  REQUIRE(registry.loadFile(fixture("fixture_throwing")));

  SECTION("a reply that is not JSON") {
    auto r = registry.get("fixture_bad_json")->call(Operation::Publish, json::object{{"n", 1}});
    CHECK(r.kind == ErrorKind::PluginFault);
    CHECK(r.message.find("reply is not valid JSON") != std::string::npos);
    CHECK(r.json.is_null());
    CHECK(logs.contains("publish: reply is not valid JSON"));
  }
  SECTION("a status code the ABI does not define") {
    auto r = registry.get("fixture_unknown_code")->call(Operation::Validate, json::object{{"n", 1}});
    CHECK(r.kind == ErrorKind::PluginFault);
    CHECK(r.status == -42);
    CHECK(r.message.find("unknown status code -42") != std::string::npos);
    CHECK(logs.contains("unknown status code -42"));
  }
  SECTION("a C++ exception thrown out of a plugin function") {
    auto plugin = registry.get("fixture_throwing");
    auto r = plugin->call(Operation::Publish, json::object{{"content", "x"}});
    CHECK(r.kind == ErrorKind::PluginFault);
    CHECK(r.message == "C++ exception escaped the plugin: boom from publish");
    // plugin.hpp's guard() turns its own exceptions into statuses.
    auto v = plugin->call(Operation::Validate, json::object{{"content", "a \"quote\""}});
    REQUIRE(v.ok());
    CHECK(v.json.at("quoted").as_string() == "a \"quote\"");
    auto bad = plugin->call(Operation::Validate, json::object{{"content", 5}});
    CHECK(bad.kind == ErrorKind::InvalidInput);
    CHECK(bad.message == "content must be a string");
    CHECK(plugin->call(Operation::Validate, json::object{{"content", "oom"}}).kind == ErrorKind::Transient);
  }
  SECTION("the host is still fine afterwards") { CHECK(registry.list().size() == 3); }
}

TEST_CASE("error details reach the host: rate limit with seconds to wait and the platform code", "[loader]") {
  PluginRegistry registry(settingsFrom({}), nullptr);
  REQUIRE(registry.loadFile(fixture("fixture_good")));
  auto r = registry.get("fixture_good")->call(Operation::Publish, json::object{{"n", 1}, {"mode", "rate_limit"}});
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds == 42);
  CHECK(r.platformCode == "429.1");
  CHECK(r.message == "slow down");
  auto bad = registry.get("fixture_good")->call(Operation::Publish, std::string_view("{oops"));
  CHECK(bad.kind == ErrorKind::InvalidInput);
  CHECK(bad.json.is_null());
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

TEST_CASE("loadFrom: folders in order, duplicate ids refused, disabled plugins listed", "[loader]") {
  TempDir first, second;
  first.copy(fixture("fixture_good"), "libfixture_good.so");
  first.copy(fixture("fixture_throwing"), "libfixture_throwing.so");
  std::ofstream(first.path / "README.txt") << "not a plugin, not a .so: ignored";
  second.copy(fixture("fixture_good"), "libgood_again.so");  // same id, later folder
  second.copy(fixture("fixture_major2"), "libfixture_major2.so");

  Logs logs;
  PluginRegistry registry(settingsFrom({{"fixture_throwing", settings({}, false)}}), logs.sink());
  registry.loadFrom({first.path, first.path / "missing", second.path});

  const auto infos = registry.list();
  REQUIRE(infos.size() == 2);
  CHECK(infos[0].id == "fixture_good");
  CHECK(infos[0].enabled);
  CHECK(infos[0].file == first.path / "libfixture_good.so");
  CHECK(infos[0].capabilities ==
        std::vector<std::string>{"oauth", "accounts", "validate", "publish", "media", "delete", "insights", "health"});
  CHECK(infos[0].abiMajor == 1);
  CHECK(infos[1].id == "fixture_throwing");
  CHECK_FALSE(infos[1].enabled);
  CHECK(registry.get("fixture_throwing") == nullptr);  // disabled: listed, not callable
  CHECK(registry.enabled().size() == 1);
  CHECK(hasError(registry, "duplicate plugin id 'fixture_good' (already loaded from " +
                               (first.path / "libfixture_good.so").string() + "): refused"));
  CHECK(hasError(registry, "libfixture_major2.so: built against plugin ABI 2."));
  CHECK(registry.loadErrors().size() == 2);
}

TEST_CASE("settings reach the plugin through the host table", "[loader]") {
  PluginRegistry registry(
      settingsFrom(
          {{"fixture_good", settings({{"api_base", "http://127.0.0.1:9"}, {"client_secret", "s3cr3t-value"}})}}),
      nullptr);
  REQUIRE(registry.loadFile(fixture("fixture_good")));
  auto plugin = registry.get("fixture_good");
  auto get = [&](const char* pointer) {
    return plugin->call(Operation::Validate, json::object{{"n", 1}, {"mode", "setting"}, {"pointer", pointer}})
        .json.at("value")
        .as_string();
  };
  CHECK(get("/api_base") == "http://127.0.0.1:9");
  CHECK(get("/enabled") == "true");
  CHECK(get("/missing") == "");
}

TEST_CASE("many threads call plugins through the registry at once", "[loader][threads]") {
  PluginRegistry registry(settingsFrom({}), nullptr);
  REQUIRE(registry.loadFile(fixture("fixture_good")));
  constexpr int kThreads = 16, kCalls = 2000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  const Operation ops[] = {Operation::Validate, Operation::Publish, Operation::CheckToken, Operation::ListAccounts};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const int n = t * kCalls + i;
        auto plugin = registry.get("fixture_good");  // lookups are concurrent too
        const Operation op = ops[i % 4];
        auto r = plugin->call(op, json::object{{"n", n}});
        if (!r.ok() || r.json.at("n").as_int64() != n ||
            r.json.at("op").as_string() != (op == Operation::CheckToken ? "check_token" : toString(op)))
          ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  auto last = registry.get("fixture_good")->call(Operation::Validate, json::object{{"n", 0}});
  CHECK(last.json.at("calls").as_int64() == kThreads * kCalls + 1);  // no lost update
}

// ---------------------------------------------------------------------------------------------
// Host services
// ---------------------------------------------------------------------------------------------

TEST_CASE("host HTTP service: status, headers, no redirect following, transport failures", "[host]") {
  std::atomic<int> hits{0};
  TestServer server([&](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    ++hits;
    if (req.getURI() == "/redirect")
      sendJson(resp, 302, "{}", "Location", "http://elsewhere.invalid/");
    else
      sendJson(resp, 429, R"({"error":"slow"})", "Retry-After", "17");
  });
  std::vector<int> statuses;
  std::mutex m;
  HostOptions options;
  options.onHttp = [&](const HttpEvent& e) {
    std::lock_guard lock(m);
    statuses.push_back(e.transportError ? -1 : e.status);
  };
  PluginRegistry registry(settingsFrom({}), nullptr, options);
  REQUIRE(registry.loadFile(fixture("fixture_good")));
  auto plugin = registry.get("fixture_good");
  auto get = [&](const std::string& url) {
    return plugin->call(Operation::Validate, json::object{{"n", 1}, {"mode", "http"}, {"url", url}}).json;
  };

  auto limited = get(server.url() + "/limited");
  CHECK(limited.at("status").as_int64() == 429);
  CHECK(limited.at("retryAfter").as_string() == "17");

  auto redirect = get(server.url() + "/redirect");
  CHECK(redirect.at("status").as_int64() == 302);
  CHECK(redirect.at("location").as_string() == "http://elsewhere.invalid/");
  CHECK(hits == 2);  // the redirect was not followed

  const auto closedPort = [] {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
  }();
  auto down = get("http://127.0.0.1:" + std::to_string(closedPort) + "/");
  CHECK(down.at("result").as_int64() == MS_ERR_TRANSIENT);
  CHECK(down.at("status").as_int64() == 0);

  auto badUrl = get("ftp://example.com/file");
  CHECK(badUrl.at("result").as_int64() == MS_ERR_INVALID_INPUT);

  std::lock_guard lock(m);
  CHECK(statuses == std::vector<int>{429, 302, -1});
}

TEST_CASE("host HTTP service streams a body of several pieces and files in order (ABI 1.2 body_parts)", "[host]") {
  std::string received, contentLength;
  TestServer server([&](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    contentLength = req.get("Content-Length", "");
    received = readAll(req.stream());
    sendJson(resp, 200, "{}");
  });
  TempDir dir;
  std::ofstream(dir.path / "a.bin", std::ios::binary) << "0123456789";
  std::ofstream(dir.path / "b.bin", std::ios::binary) << "abcdef";
  const auto a = (dir.path / "a.bin").string(), b = (dir.path / "b.bin").string();
  HostServices services("parts", json::object{}, nullptr, HostOptions{});
  const ms_host* h = services.table();
  const std::string url = server.url() + "/upload";
  const ms_body_part parts[] = {{"--x\r\n", 5, nullptr, 0, 0},
                                {nullptr, 0, a.c_str(), 2, 3},
                                {"|", 1, nullptr, 0, 0},
                                {nullptr, 0, b.c_str(), 0, 0}};
  ms_http_request req{};
  req.struct_size = sizeof req;
  req.method = "POST";
  req.url = url.c_str();
  req.body = "head:";
  req.body_len = 5;
  req.body_file = a.c_str();
  req.body_file_length = 2;
  req.body_tail = ":tail";
  req.body_tail_len = 5;
  req.body_parts = parts;
  req.body_part_count = 4;
  ms_http_response resp{};
  resp.struct_size = sizeof resp;
  REQUIRE(h->http(h, &req, &resp) == MS_OK);
  CHECK(resp.status == 200);
  CHECK(resp.request_sent == 1);
  CHECK(received == "head:01:tail--x\r\n234|abcdef");
  CHECK(contentLength == std::to_string(received.size()));

  // A part beyond its file is refused before anything is sent.
  const ms_body_part beyond[] = {{nullptr, 0, b.c_str(), 4, 5}};
  req.body_parts = beyond;
  req.body_part_count = 1;
  received.clear();
  CHECK(h->http(h, &req, &resp) == MS_ERR_INVALID_INPUT);
  CHECK(resp.request_sent == 0);
  CHECK(received.empty());
}

TEST_CASE("host helper services", "[host]") {
  HostServices services("helpers", json::object{{"api_base", "http://x"}, {"n", 3}}, nullptr, HostOptions{});
  const ms_host* h = services.table();
  REQUIRE(h->struct_size == sizeof(ms_host));
  CHECK(h->abi_major == MS_ABI_VERSION_MAJOR);
  std::string out;
  ms_sink sink{sizeof(ms_sink), &out, [](void* ctx, const char* d, size_t n) {
                 static_cast<std::string*>(ctx)->append(d, n);
                 return 0;
               }};
  auto run = [&](auto f) {
    out.clear();
    f();
    return out;
  };

  CHECK(run([&] { h->base64_encode(h, "\xfb\xff", 2, 0, &sink); }) == "+/8=");
  CHECK(run([&] { h->base64_encode(h, "\xfb\xff", 2, MS_BASE64_URL | MS_BASE64_NO_PADDING, &sink); }) == "-_8");
  CHECK(run([&] { h->base64_encode(h, "hello", 5, 0, &sink); }) == "aGVsbG8=");
  CHECK(run([&] { h->url_encode(h, "a b&c=d/é~", 11, &sink); }) == "a%20b%26c%3Dd%2F%C3%A9~");
  CHECK(run([&] { h->json_quote(h, "say \"hi\"\n", 9, &sink); }) == R"("say \"hi\"\n")");

  const std::string doc = R"({"media":[{"path":"/tmp/a.png","size":12}],"ok":true,"text":"caf\u00e9"})";
  CHECK(run([&] { CHECK(h->json_get(h, doc.data(), doc.size(), "/media/0/path", &sink) == MS_JSON_STRING); }) ==
        "/tmp/a.png");
  CHECK(run([&] { CHECK(h->json_get(h, doc.data(), doc.size(), "/media/0/size", &sink) == MS_JSON_NUMBER); }) == "12");
  CHECK(run([&] { CHECK(h->json_get(h, doc.data(), doc.size(), "/ok", &sink) == MS_JSON_BOOL); }) == "true");
  CHECK(run([&] { CHECK(h->json_get(h, doc.data(), doc.size(), "/text", &sink) == MS_JSON_STRING); }) == "café");
  CHECK(run([&] { CHECK(h->json_get(h, doc.data(), doc.size(), "/media/1", &sink) == MS_JSON_NONE); }) == "");
  CHECK(h->json_get(h, "{bad", 4, "", nullptr) == MS_JSON_NONE);
  CHECK(h->json_get(h, nullptr, 0, "", nullptr) == MS_JSON_NONE);
  CHECK(run([&] { CHECK(h->setting(h, "/api_base", &sink) == MS_JSON_STRING); }) == "http://x");
  CHECK(run([&] { CHECK(h->setting(h, "", &sink) == MS_JSON_OBJECT); }) == R"({"api_base":"http://x","n":3})");

  uint8_t digest[32];
  h->sha256(h, "abc", 3, digest);
  CHECK(run([&] { h->base64_encode(h, digest, 32, 0, &sink); }) == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  h->hmac_sha256(h, "key", 3, "The quick brown fox jumps over the lazy dog", 43, digest);
  CHECK(digest[0] == 0xf7);
  CHECK(digest[31] == 0xd8);

  uint8_t a[32] = {}, b[32] = {};
  CHECK(h->random_bytes(h, a, sizeof a) == MS_OK);
  CHECK(h->random_bytes(h, b, sizeof b) == MS_OK);
  CHECK(std::memcmp(a, b, 32) != 0);
  CHECK(h->now_unix_ms(h) > 1700000000000LL);
  const auto t0 = h->monotonic_ns(h);
  CHECK(h->monotonic_ns(h) >= t0);

  // ABI 1.1: a document parsed once, read many times.
  CHECK(h->abi_minor >= 1);
  ms_json_doc* parsed = h->json_parse(h, doc.data(), doc.size());
  REQUIRE(parsed != nullptr);
  CHECK(run([&] { CHECK(h->json_doc_get(h, parsed, "/media/0/path", &sink) == MS_JSON_STRING); }) == "/tmp/a.png");
  CHECK(run([&] { CHECK(h->json_doc_get(h, parsed, "/text", &sink) == MS_JSON_STRING); }) == "café");
  CHECK(h->json_doc_get(h, parsed, "/nothing", nullptr) == MS_JSON_NONE);
  CHECK(h->json_doc_count(h, parsed, "/media") == 1);
  CHECK(h->json_doc_count(h, parsed, "") == 3);
  CHECK(h->json_doc_count(h, parsed, "/ok") == -1);
  h->json_free(h, parsed);
  CHECK(h->json_parse(h, "{bad", 4) == nullptr);
  h->json_free(h, nullptr);
  // A double reads back in plain decimal form, not exponent form.
  const std::string numbers = R"({"rate":0.5,"big":1e3})";
  CHECK(run([&] { h->json_get(h, numbers.data(), numbers.size(), "/rate", &sink); }) == "0.5");
  CHECK(run([&] { h->json_get(h, numbers.data(), numbers.size(), "/big", &sink); }) == "1000");

  // RFC 3339 both ways.
  int64_t ms = 0;
  const std::string stamp = "2026-12-25T11:00:00.250+01:00";
  REQUIRE(h->time_parse(h, stamp.data(), stamp.size(), &ms) == MS_OK);
  CHECK(ms == 1798192800250LL);
  CHECK(run([&] { h->time_format(h, ms, &sink); }) == "2026-12-25T10:00:00.250Z");
  CHECK(run([&] { h->time_format(h, 1798192800000LL, &sink); }) == "2026-12-25T10:00:00Z");
  CHECK(h->time_parse(h, "2026-13-01T00:00:00Z", 20, &ms) == MS_ERR_INVALID_INPUT);
  CHECK(h->time_parse(h, "yesterday", 9, &ms) == MS_ERR_INVALID_INPUT);

  // sleep_ms waits as long as asked.
  const auto before = std::chrono::steady_clock::now();
  CHECK(h->sleep_ms(h, 60) == MS_OK);
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(60));
}

TEST_CASE("credentials are redacted from plugin logs", "[host]") {
  Logs logs;
  HostServices services("redact", json::object{{"client_secret", "very-secret-value"}}, logs.sink(), HostOptions{});
  const ms_host* h = services.table();
  h->log(h, MS_LOG_WARN,
         "GET /me?access_token=abc123&x=1 Authorization: Bearer eyJhbGciOi.payload.sig "
         "{\"accessToken\":\"tok-1\"} secret=very-secret-value");
  const auto line = logs.all();
  CHECK(line.find("abc123") == std::string::npos);
  CHECK(line.find("eyJhbGciOi") == std::string::npos);
  CHECK(line.find("tok-1") == std::string::npos);
  CHECK(line.find("very-secret-value") == std::string::npos);
  CHECK(line.find("x=1") != std::string::npos);
  CHECK(line.find("[redact]") != std::string::npos);

  CHECK(redact("Authorization: Basic dXNlcjpwYXNz, next") == "Authorization: Basic ***, next");
  CHECK(redact(R"({"refresh_token" : "r-\"1", "name":"ok"})") == R"({"refresh_token" : "***", "name":"ok"})");
  // An OAuth code is a one-time credential: hidden like the secret.
  CHECK(redact("https://x/cb?code=abc&state=s&client_secret=zz") == "https://x/cb?code=***&state=s&client_secret=***");
  CHECK(redact("https://x/cb?error_code=7") == "https://x/cb?error_code=7");
  CHECK(redact("mytoken=keep bearer") == "mytoken=keep bearer");
  // A Telegram bot token rides in the URL path.
  CHECK(redact("POST https://api.telegram.org/bot123456:AAH-x_y9/sendMessage -> 200") ==
        "POST https://api.telegram.org/bot***/sendMessage -> 200");
  CHECK(redact("/file/bot42:secret/photos/1.jpg") == "/file/bot***/photos/1.jpg");
  CHECK(redact("/robots/bot/about and /bot12/x") == "/robots/bot/about and /bot12/x");
  const std::string huge(4 << 20, 'a');
  CHECK(redact("Bearer " + huge).size() == 10);  // linear, no recursion on long lines
}

TEST_CASE("a plugin's error never carries the tokens the host gave it", "[plugins][secrets]") {
  PluginRegistry registry(settingsFrom({}), nullptr);
  REQUIRE(registry.loadFile(fixture("fixture_good")));
  auto plugin = registry.get("fixture_good");
  REQUIRE(plugin);
  const auto r =
      plugin->call(Operation::Publish, json::object{{"n", 1}, {"mode", "leak"}, {"accessToken", "tok-Secret-123"}});
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message == "https://api.example/bot***/send refused ***");
  CHECK(r.platformCode == "***");
}

// ---------------------------------------------------------------------------------------------
// plugins check and plugins list
// ---------------------------------------------------------------------------------------------

TEST_CASE("plugins check passes ABI-abiding plugins and fails the others", "[check]") {
  auto [id, rc, expected] = GENERATE(table<std::string, int, std::string>({
      {"fixture_good", 0, "result: PASS"},
      {"fixture_old", 0, "result: PASS"},
      {"fixture_crash", 1, "while: validate with a plain post"},
      {"fixture_throwing", 1, "FAIL publish with empty object: C++ exception escaped the plugin: boom from publish"},
      {"fixture_bad_json", 1, "reply is not valid JSON"},
      {"fixture_unknown_code", 1, "unknown status code -42"},
      {"fixture_wrong_kind", 1, "FAIL validate with empty request: returned transient (-5), expected invalid_input"},
      {"fixture_no_entry", 1, "FAIL load: no exported symbol marketsage_plugin_entry"},
      {"fixture_major2", 1, "different major version"},
      {"fixture_missing_ext", 1, "announces capability 'insights'"},
      {"fixture_init_fail", 1, "init failed"},
      {"fixture_extra_exports", 1, "FAIL exports 3 symbols where only marketsage_plugin_entry may be exported"},
  }));
  CAPTURE(id);
  std::ostringstream out, err;
  CHECK(checkPlugin(fixture(id), out, err) == rc);
  INFO(out.str());
  CHECK(out.str().find(expected) != std::string::npos);
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer keeps its own SIGSEGV handler in the child
  if (id == "fixture_crash")
    CHECK(out.str().find("FAIL the plugin crashed (signal 11, Segmentation fault)") != std::string::npos);
#endif
  if (rc == 0)
    CHECK(err.str().empty());
  else
    CHECK(err.str().find("does not honour the plugin ABI") != std::string::npos);
}

TEST_CASE("plugins list shows id, version, ABI, capabilities and enabled; errors on err", "[list]") {
  TempDir dir;
  dir.copy(fixture("fixture_good"), "libfixture_good.so");
  dir.copy(fixture("fixture_throwing"), "libfixture_throwing.so");
  dir.copy(fixture("fixture_newer_minor"), "libfixture_newer_minor.so");
  PluginRegistry registry(settingsFrom({{"fixture_throwing", settings({}, false)}}), nullptr);
  registry.loadFrom({dir.path});
  std::ostringstream out, err;
  CHECK(listPlugins(registry, out, err) == 0);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.rfind("ID", 0) == 0);
  CHECK(text.find("CAPABILITIES") != std::string::npos);
  CHECK(text.find("fixture_good") != std::string::npos);
  CHECK(text.find("oauth,accounts,validate,publish,media,delete,insights,health") != std::string::npos);
  std::istringstream lines(text);
  std::string header, good, throwing;
  std::getline(lines, header);
  std::getline(lines, good);
  std::getline(lines, throwing);
  CHECK(good.find("0.0.1") != std::string::npos);
  CHECK(good.find(" 1." + std::to_string(MS_ABI_VERSION_MINOR) + " ") != std::string::npos);
  CHECK(good.find(" yes ") != std::string::npos);
  CHECK(throwing.find(" no ") != std::string::npos);
  CHECK(err.str().find("libfixture_newer_minor.so: built against plugin ABI 1." +
                       std::to_string(MS_ABI_VERSION_MINOR + 1)) != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The C99 example plugin against an emulated webhook platform
// ---------------------------------------------------------------------------------------------

namespace {

/// Milliseconds since 1970 of an RFC 3339 time ("2026-12-25T10:00:00Z").
std::int64_t unixMsOf(const std::string& text) {
  int zone = 0;
  const auto parsed = Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, zone);
  return parsed.timestamp().epochMicroseconds() / 1000 - std::int64_t{zone} * 1000;
}

/// The value after `key` in `text` up to the next space ("#http=429 #retry=17": "429", "17").
std::string instruction(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return {};
  const auto start = at + key.size();
  return text.substr(start, text.find(' ', start) - start);
}

/// The emulated "webhook platform" of sdk-docs/example-plugin/README.md. Posts whose text holds
/// "#http=<status>" get that status, with "#retry=<seconds>" (or "#retry=date": an HTTP date two
/// minutes ahead) as Retry-After, and "#nobody" for an empty body; "#flaky" fails with 503 once;
/// "#lost" is created and then its answer lost once (the connection closes). A POST /posts with an
/// Idempotency-Key already answered gets that answer again, creating nothing. A video is still
/// processing at the first POST /posts that names it (409 media_processing), ready after.
struct WebhookPlatform {
  std::mutex mutex;
  std::vector<json::value> posts;
  std::vector<std::string> keys;                  // Idempotency-Key of every POST /posts, "" when none
  std::map<std::string, std::string> answered;    // Idempotency-Key -> the answer of its post
  std::map<std::string, std::string> media;       // id -> bytes received
  std::map<std::string, std::string> mediaTypes;  // id -> mimeType
  std::set<std::string> processing;               // videos the platform is still processing
  std::vector<std::string> ranges;
  std::string lastForm;
  int deleted = 0;
  bool flakyFailed = false, lost = false;
  TestServer server{
      [this](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) { handle(req, resp); }};

  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    const std::string body = readAll(req.stream());
    const std::string auth = req.get("Authorization", "");
    const std::string path = req.getURI(), method = req.getMethod();
    std::lock_guard lock(mutex);
    if (path == "/token" && method == "POST") {
      lastForm = body;
      if (body.find("code=bad") != std::string::npos) return sendJson(resp, 400, R"({"error":"invalid_grant"})");
      return sendJson(resp, 200,
                      R"({"access_token":"good-token","refresh_token":"r-1","expires_in":3600,"scope":"publish"})");
    }
    if (auth == "Bearer expired-token")
      return sendJson(resp, 401, R"({"error":{"code":"token_expired","message":"the token expired"}})");
    if (auth != "Bearer good-token")
      return sendJson(resp, 401, R"({"error":{"code":"invalid_token","message":"who are you"}})");
    if (path == "/me" && method == "GET")
      return sendJson(resp, 200, R"({"id":"acc-1","name":"Acme","expiresIn":"3600"})");
    if (path == "/posts" && method == "POST") {
      json::value post = json::parse(body);
      const std::string text(post.at("text").as_string());
      const std::string key = req.get("Idempotency-Key", "");
      keys.push_back(key);
      if (const auto known = answered.find(key); !key.empty() && known != answered.end())
        return sendJson(resp, 201, known->second);
      for (const auto& id : post.at("media").as_array()) {
        if (processing.erase(std::string(id.as_string())) > 0)
          return sendJson(resp, 409,
                          R"({"error":{"code":"media_processing","message":"the video is still processing"}})");
      }
      if (const auto status = instruction(text, "#http="); !status.empty()) {
        std::string retry = instruction(text, "#retry=");
        if (retry == "date")
          retry = Poco::DateTimeFormatter::format(Poco::Timestamp() + Poco::Timespan(120, 0),
                                                  Poco::DateTimeFormat::HTTP_FORMAT);
        const std::string answer =
            text.find("#nobody") != std::string::npos ? "" : R"({"error":{"message":"as asked"}})";
        return sendJson(resp, std::stoi(status), answer, retry.empty() ? "" : "Retry-After", retry);
      }
      if (text.find("#flaky") != std::string::npos && !flakyFailed) {
        flakyFailed = true;
        return sendJson(resp, 503, R"({"error":{"message":"try again"}})");
      }
      if (text.find("#ratelimit") != std::string::npos)
        return sendJson(resp, 429, R"({"error":{"code":"rate_limit","message":"slow down"}})", "Retry-After", "17");
      if (text.find("#boom") != std::string::npos) return sendJson(resp, 503, R"({"error":{"message":"down"}})");
      if (text.find("#reject") != std::string::npos)
        return sendJson(resp, 422, R"({"error":{"code":"content_rejected","message":"not allowed"}})");
      posts.push_back(post);
      const std::string id = "p-" + std::to_string(posts.size());
      const std::string answer = R"({"id":")" + id + R"(","url":"https://webhook.test/)" + id + R"("})";
      if (!key.empty()) answered[key] = answer;
      if (text.find("#lost") != std::string::npos && !lost) {
        lost = true;
        return marketsage::test::closeWithoutAnswer(req);
      }
      return sendJson(resp, 201, answer);
    }
    if (path.rfind("/posts/", 0) == 0 && method == "DELETE") {
      ++deleted;
      resp.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      resp.send().flush();
      return;
    }
    if (path == "/media" && method == "POST") {
      const std::string id = "m-" + std::to_string(media.size() + 1);
      media[id];
      mediaTypes[id] = std::string(json::parse(body).at("mimeType").as_string());
      return sendJson(resp, 201, R"({"id":")" + id + R"("})");
    }
    if (path.rfind("/media/", 0) == 0 && method == "GET") {
      const std::string id = path.substr(7);
      return sendJson(resp, 200,
                      R"({"id":")" + id + R"(","status":")" + (processing.count(id) ? "processing" : "ready") + "\"}");
    }
    if (path.rfind("/media/", 0) == 0 && method == "PUT") {
      const std::string id = path.substr(7);
      const std::string range = req.get("Content-Range", "");
      ranges.push_back(range);
      media[id] += body;
      const bool last = range.substr(range.find('-') + 1, range.find('/') - range.find('-') - 1) ==
                        std::to_string(std::stoll(range.substr(range.find('/') + 1)) - 1);
      if (last && mediaTypes[id].rfind("video/", 0) == 0) {  // processed after the upload
        processing.insert(id);
        return sendJson(resp, 202, R"({"id":")" + id + R"(","status":"processing"})");
      }
      return sendJson(resp, last ? 201 : 202, R"({"id":")" + id + R"("})");
    }
    sendJson(resp, 404, R"({"error":{"message":"no route"}})");
  }
};

}  // namespace

TEST_CASE("the C99 example plugin loads, is listed and passes plugins check", "[example][check]") {
  PluginRegistry registry(settingsFrom({}), nullptr);
  registry.loadFrom({examplePlugin.parent_path()});
  REQUIRE(registry.get("webhook"));
  const auto info = registry.get("webhook")->info();
  CHECK(info.version == "1.2.0");
  CHECK(info.status == "experimental");
  CHECK(info.capabilities == std::vector<std::string>{"oauth", "validate", "publish", "media", "delete", "health"});
  std::ostringstream list, listErr;
  listPlugins(registry, list, listErr);
  CHECK(list.str().find("webhook") != std::string::npos);

  std::ostringstream out, err;
  CHECK(checkPlugin(examplePlugin, out, err) == 0);
  INFO(out.str());
  CHECK(out.str().find("result: PASS") != std::string::npos);
  CHECK(err.str().empty());
}

TEST_CASE("the C99 example plugin works through the host HTTP service", "[example]") {
  WebhookPlatform platform;
  TempDir dir;
  PluginRegistry registry(settingsFrom({{"webhook", settings({{"api_base", platform.server.url() + "/"},
                                                              {"auth_base", platform.server.url()},
                                                              {"client_id", "cid"},
                                                              {"client_secret", "csecret"},
                                                              {"chunk_size", 4096},
                                                              {"processing_wait_seconds", 2}})}}),
                          nullptr);
  REQUIRE(registry.loadFile(examplePlugin));
  auto webhook = registry.get("webhook");
  REQUIRE(webhook);
  const json::object account{{"id", "acc-1"}};
  int attempts = 0;  // every call a new target, as the host gives each its own idempotency key
  auto post = [&](const std::string& token, const std::string& text) {
    return webhook->call(Operation::Publish, json::object{{"accessToken", token},
                                                          {"account", account},
                                                          {"content", text},
                                                          {"idempotencyKey", "ms-t" + std::to_string(++attempts)}});
  };

  SECTION("publish a post with a link, media and a thread") {
    auto r =
        webhook->call(Operation::Publish, json::object{{"accessToken", "good-token"},
                                                       {"account", account},
                                                       {"content", "Hello \"world\" ✓"},
                                                       {"link", "https://example.com"},
                                                       {"media", json::array{json::object{{"platformMediaId", "m-9"}}}},
                                                       {"thread", json::array{json::object{{"content", "second"}}}}});
    REQUIRE(r.ok());
    CHECK(r.json.at("postId").as_string() == "p-1");
    CHECK(r.json.at("url").as_string() == "https://webhook.test/p-1");
    CHECK(r.json.at("postIds") == json::array{"p-1", "p-2"});
    std::lock_guard lock(platform.mutex);
    REQUIRE(platform.posts.size() == 2);
    CHECK(
        platform.posts[0] ==
        json::parse(R"({"account":"acc-1","text":"Hello \"world\" ✓","link":"https://example.com","media":["m-9"]})"));
    CHECK(platform.posts[1].at("replyTo").as_string() == "p-1");
  }
  SECTION("429 with Retry-After becomes rate_limited with the wait") {
    auto r = post("good-token", "spam #ratelimit");
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds == 17);
    CHECK(r.platformCode == "rate_limit");
    CHECK(r.message == "slow down");
  }
  SECTION("platform errors map to the ABI's kinds") {
    CHECK(post("expired-token", "hi").kind == ErrorKind::AuthExpired);
    CHECK(post("stolen-token", "hi").kind == ErrorKind::AuthInvalid);
    CHECK(post("good-token", "#boom").kind == ErrorKind::Transient);
    auto rejected = post("good-token", "#reject");
    CHECK(rejected.kind == ErrorKind::Permanent);
    CHECK(rejected.platformCode == "content_rejected");
  }
  SECTION("invalid content is refused before any network call") {
    auto r = post("good-token", std::string(5001, 'x'));
    CHECK(r.kind == ErrorKind::InvalidInput);
    CHECK(r.message == "content is longer than 5000 characters");
    auto v = webhook->call(Operation::Validate, json::object{{"content", std::string(5001, 'x')}});
    CHECK(v.kind == ErrorKind::InvalidInput);
    CHECK(v.json ==
          json::parse(R"({"issues":[{"field":"/content","message":"content is longer than 5000 characters"}]})"));
    CHECK(v.message.empty());  // the issue says it all: the host shows "/content: content is longer…"
    CHECK(webhook->call(Operation::Validate, json::object{{"content", "fine"}}).ok());
    std::lock_guard lock(platform.mutex);
    CHECK(platform.posts.empty());
  }
  SECTION("chunked media upload streamed from a file") {
    std::string bytes(10000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    std::ofstream(dir.path / "video.mp4", std::ios::binary) << bytes;
    auto r = webhook->call(Operation::UploadMedia, json::object{{"accessToken", "good-token"},
                                                                {"account", account},
                                                                {"path", (dir.path / "video.mp4").string()},
                                                                {"mimeType", "video/mp4"},
                                                                {"size", bytes.size()},
                                                                {"kind", "video"}});
    REQUIRE(r.ok());
    CHECK(r.json.at("platformMediaId").as_string() == "m-1");
    // A video the platform still processes is not waited for: the host is asked to come back.
    CHECK(r.json.at("pending") ==
          json::parse(R"({"retryAfterSeconds":2,"stage":"the platform is processing the video"})"));
    {
      std::lock_guard lock(platform.mutex);
      CHECK(platform.ranges ==
            std::vector<std::string>{"bytes 0-4095/10000", "bytes 4096-8191/10000", "bytes 8192-9999/10000"});
      CHECK(platform.media["m-1"] == bytes);
    }
    // publish while it still processes: pending again, nothing created; then it goes out once.
    const json::object request{{"accessToken", "good-token"},
                               {"account", account},
                               {"content", "a video"},
                               {"idempotencyKey", "ms-v"},
                               {"media", json::array{json::object{{"platformMediaId", "m-1"}}}}};
    auto early = webhook->call(Operation::Publish, request);
    REQUIRE(early.ok());
    CHECK(
        early.json ==
        json::parse(
            R"({"pending":{"retryAfterSeconds":2,"stage":"the platform is processing the media","resume":{"postIds":[]}}})"));
    CHECK(platform.posts.empty());
    auto later = webhook->call(Operation::Publish, request);
    REQUIRE(later.ok());
    CHECK(later.json.at("postId") == "p-1");
    CHECK(platform.posts.size() == 1);
  }
  SECTION("exactly once: an answer lost after the post was made is retried with the same Idempotency-Key") {
    const json::object request{{"accessToken", "good-token"},
                               {"account", account},
                               {"content", "hello #lost"},
                               {"idempotencyKey", "ms-7"},
                               {"thread", json::array{json::object{{"content", "part two"}}}}};
    auto first = webhook->call(Operation::Publish, request);
    CHECK(first.kind == ErrorKind::Transient);  // safe to retry: the platform honours the key
    auto second = webhook->call(Operation::Publish, request);
    REQUIRE(second.ok());
    CHECK(second.json.at("postIds") == json::array{"p-1", "p-2"});
    std::lock_guard lock(platform.mutex);
    CHECK(platform.posts.size() == 2);  // the post once, its thread part once
    CHECK(platform.keys == std::vector<std::string>{"ms-7-0", "ms-7-0", "ms-7-1"});
  }
  SECTION("exactly once: without an idempotency key, a lost answer or a gateway's 5xx is an unknown outcome") {
    auto lostAnswer = webhook->call(
        Operation::Publish, json::object{{"accessToken", "good-token"}, {"account", account}, {"content", "#lost"}});
    CHECK(lostAnswer.kind == ErrorKind::OutcomeUnknown);
    for (const std::string status : {"502", "503", "504"}) {
      auto gateway = webhook->call(
          Operation::Publish,
          json::object{{"accessToken", "good-token"}, {"account", account}, {"content", "#http=" + status}});
      CHECK(gateway.kind == ErrorKind::OutcomeUnknown);
    }
    auto refused =
        webhook->call(Operation::Publish,
                      json::object{{"accessToken", "good-token"}, {"account", account}, {"content", "#http=500"}});
    CHECK(refused.kind == ErrorKind::Transient);  // an answer from the platform itself
    std::lock_guard lock(platform.mutex);
    CHECK(platform.posts.size() == 1);
  }
  SECTION("delete and token health") {
    CHECK(webhook->call(Operation::DeletePost, json::object{{"accessToken", "good-token"}, {"postId", "p 1"}}).ok());
    const auto before =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    auto health = webhook->call(Operation::CheckToken, json::object{{"accessToken", "good-token"}});
    REQUIRE(health.ok());
    CHECK(health.json.at("accountId").as_string() == "acc-1");
    // expiresIn 3600 (sent as a string) -> expiresAt, formatted by the host's time_format.
    const std::string expiresAt(health.json.at("expiresAt").as_string());
    CHECK(expiresAt.back() == 'Z');
    const auto at = unixMsOf(expiresAt);
    CHECK(at >= before / 1000 * 1000 + 3600'000 - 1000);
    CHECK(at <= before + 3600'000 + 60'000);
    CHECK(webhook->call(Operation::CheckToken, json::object{{"accessToken", "expired-token"}}).kind ==
          ErrorKind::AuthExpired);
  }
  SECTION("oauth with PKCE") {
    auto url = webhook->call(Operation::AuthorizeUrl, json::object{{"redirectUri", "https://host/cb"},
                                                                   {"state", "st 1"},
                                                                   {"codeChallenge", "abc"},
                                                                   {"codeChallengeMethod", "S256"}});
    REQUIRE(url.ok());
    CHECK(url.json.at("url").as_string() ==
          platform.server.url() +
              "/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fhost%2Fcb&state=st%201"
              "&code_challenge=abc&code_challenge_method=S256&scope=publish");
    auto token =
        webhook->call(Operation::ExchangeCode,
                      json::object{{"code", "c-1"}, {"redirectUri", "https://host/cb"}, {"codeVerifier", "v"}});
    REQUIRE(token.ok());
    CHECK(token.json.at("accessToken").as_string() == "good-token");
    CHECK(token.json.at("refreshToken").as_string() == "r-1");
    CHECK(token.json.at("expiresIn").as_int64() == 3600);
    {
      std::lock_guard lock(platform.mutex);
      CHECK(platform.lastForm.find("code_verifier=v") != std::string::npos);
      CHECK(platform.lastForm.find("client_secret=csecret") != std::string::npos);
    }
    auto bad = webhook->call(Operation::ExchangeCode,
                             json::object{{"code", "bad"}, {"redirectUri", "https://host/cb"}, {"codeVerifier", "v"}});
    CHECK(bad.kind == ErrorKind::AuthInvalid);
    CHECK(webhook->call(Operation::RefreshToken, json::object{{"refreshToken", "r-1"}}).ok());
    CHECK_FALSE(webhook->supports(Operation::RevokeToken));
  }
  SECTION("16 threads publishing at once") {
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 20; ++i)
          if (!post("good-token", "t" + std::to_string(t) + "-" + std::to_string(i)).ok()) ++failures;
      });
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    std::lock_guard lock(platform.mutex);
    CHECK(platform.posts.size() == 320);
  }
}

TEST_CASE("the C SDK (sdk-docs/c-sdk) through the example plugin: JSON reading, escaping, HTTP errors",
          "[example][sdk]") {
  WebhookPlatform platform;
  PluginRegistry registry(
      settingsFrom({{"webhook", settings({{"api_base", platform.server.url()}, {"max_length", 100}})}}), nullptr);
  REQUIRE(registry.loadFile(examplePlugin));
  auto webhook = registry.get("webhook");
  REQUIRE(webhook);
  const json::object account{{"id", "acc-1"}};
  int attempts = 0;
  auto publish = [&](json::object request) {
    request.emplace("accessToken", "good-token");
    request.emplace("account", account);
    request.emplace("idempotencyKey", "ms-t" + std::to_string(++attempts));
    return webhook->call(Operation::Publish, request);
  };
  auto post = [&](const std::string& text) { return publish({{"content", text}}); };

  SECTION("strings are escaped into valid JSON, byte for byte") {
    const std::string text = "quote \" backslash \\ newline \n tab \t bell \x07 nul-free ✓ 😀 é";
    const std::string link = "https://example.com/?q=\"x\"&y=1";
    auto r = publish({{"content", text},
                      {"link", link},
                      {"options", {{"silent", true}}},
                      {"scheduledTime", "2026-12-25T11:00:00.250+01:00"}});
    REQUIRE(r.ok());
    std::lock_guard lock(platform.mutex);
    REQUIRE(platform.posts.size() == 1);
    CHECK(platform.posts[0].at("text").as_string() == text);
    CHECK(platform.posts[0].at("link").as_string() == link);
    CHECK(platform.posts[0].at("silent") == true);
    CHECK(platform.posts[0].at("publishAt") == 1798192800);  // time_parse: 10:00:00.250Z, in seconds
  }
  SECTION("request fields are read with their types and bounds; the first problem is the message") {
    const auto refused = [&](json::object request, const std::string& message) {
      auto r = publish(std::move(request));
      CHECK(r.kind == ErrorKind::InvalidInput);
      CHECK(r.message == message);
    };
    refused({{"content", 42}}, "content must be a string");
    refused({{"content", std::string(101, 'x')}}, "content is longer than 100 characters");
    CHECK(post(std::string(100, 'x')).ok());
    CHECK(post("ééééé" + std::string(95, 'x')).ok());  // characters, not bytes
    refused({{"content", "hi"}, {"accessToken", std::string(8193, 't')}}, "accessToken is longer than 8192 bytes");
    refused({{"content", "hi"}, {"accessToken", ""}}, "accessToken is required");
    refused({{"content", "hi"}, {"account", json::object{}}}, "account.id is required");
    refused({{"content", "hi"}, {"options", {{"silent", "yes"}}}}, "options.silent must be true or false");
    refused({{"content", "hi"}, {"thread", json::array{json::object{{"content", 5}}}}},
            "thread.0.content must be a string");
    refused({{"content", "hi"}, {"thread", json::array{json::object{}}}}, "thread.0 needs content");
    refused({{"content", "hi"},
             {"thread", json::array{json::object{{"content", "x"}, {"media", json::array{json::object{}}}}}}},
            "thread.0.media is not supported: thread parts carry text only");
    refused({{"content", "hi"}, {"thread", json::array(26, json::object{{"content", "x"}})}},
            "thread has more than 25 elements");
    refused({{"content", "hi"}, {"scheduledTime", "tomorrow"}}, "scheduledTime must be an RFC 3339 date-time");
    refused({{"media", json::array{json::object{{"path", "/x"}}}}}, "media.0.platformMediaId is required");
    refused({}, "a post needs content or media");
    CHECK(webhook->call(Operation::Publish, std::string_view("[1]")).message == "the request must be a JSON object");
    auto upload = webhook->call(
        Operation::UploadMedia,
        json::object{{"accessToken", "good-token"}, {"path", "/tmp/x"}, {"mimeType", "image/png"}, {"size", "100"}});
    CHECK(upload.kind == ErrorKind::InvalidInput);
    CHECK(upload.message == "size must be an integer from 1 to 1099511627776");
    std::lock_guard lock(platform.mutex);
    CHECK(platform.posts.size() == 2);  // only the two valid posts reached the platform
  }
  SECTION("HTTP answers map to the ABI's kinds, with Retry-After for 429 and 503 only") {
    struct Case {
      std::string text;
      ErrorKind kind;
      int retryAfter;
    };
    for (const auto& c : std::vector<Case>{{"#http=429 #retry=17", ErrorKind::RateLimited, 17},
                                           {"#http=429", ErrorKind::RateLimited, 0},
                                           {"#http=503 #retry=5", ErrorKind::Transient, 5},
                                           {"#http=500 #retry=5", ErrorKind::Transient, 0},
                                           {"#http=408", ErrorKind::Transient, 0},
                                           {"#http=401", ErrorKind::AuthExpired, 0},
                                           {"#http=403", ErrorKind::AuthInvalid, 0},
                                           {"#http=404", ErrorKind::Permanent, 0},
                                           {"#http=409 #retry=5", ErrorKind::Permanent, 0},
                                           {"#http=302", ErrorKind::Permanent, 0}}) {
      CAPTURE(c.text);
      auto r = post(c.text);
      CHECK(r.kind == c.kind);
      CHECK(r.retryAfterSeconds == c.retryAfter);
      CHECK(r.message == "as asked");
    }
    auto dated = post("#http=429 #retry=date");  // Retry-After as an HTTP date, two minutes ahead
    CHECK(dated.kind == ErrorKind::RateLimited);
    CHECK(dated.retryAfterSeconds >= 110);
    CHECK(dated.retryAfterSeconds <= 121);
    auto bare = post("#http=418 #nobody");
    CHECK(bare.kind == ErrorKind::Permanent);
    CHECK(bare.message == "the platform answered HTTP 418");
    // The platform's own codes refine the mapping: its 401 says expired or unknown token.
    CHECK(webhook
              ->call(Operation::Publish,
                     json::object{{"accessToken", "expired-token"}, {"account", account}, {"content", "hi"}})
              .kind == ErrorKind::AuthExpired);
    CHECK(webhook
              ->call(Operation::Publish,
                     json::object{{"accessToken", "stolen-token"}, {"account", account}, {"content", "hi"}})
              .kind == ErrorKind::AuthInvalid);
  }
  SECTION("a thread that fails half way reports its live parts, and the retry resumes after them") {
    const json::array thread{json::object{{"content", "2/3"}}, json::object{{"content", "3/3 #flaky"}}};
    auto first = publish({{"content", "1/3"}, {"thread", thread}});
    CHECK(first.kind == ErrorKind::Transient);
    CHECK(first.json == json::parse(R"({"postIds":["p-1","p-2"],"failedPart":2})"));
    auto retry =
        publish({{"content", "1/3"}, {"thread", thread}, {"resume", {{"postIds", json::array{"p-1", "p-2"}}}}});
    REQUIRE(retry.ok());
    CHECK(retry.json.at("postId") == "p-1");
    CHECK(retry.json.at("postIds") == json::array{"p-1", "p-2", "p-3"});
    std::lock_guard lock(platform.mutex);
    REQUIRE(platform.posts.size() == 3);  // nothing posted twice
    CHECK(platform.posts[2].at("replyTo") == "p-2");
  }
}

TEST_CASE("the example plugin reports a platform that is down as transient", "[example]") {
  const auto closedPort = [] {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
  }();
  PluginRegistry registry(
      settingsFrom({{"webhook", settings({{"api_base", "http://127.0.0.1:" + std::to_string(closedPort)}})}}), nullptr);
  REQUIRE(registry.loadFile(examplePlugin));
  auto r = registry.get("webhook")->call(
      Operation::Publish, json::object{{"accessToken", "t"}, {"account", {{"id", "a"}}}, {"content", "hi"}});
  CHECK(r.kind == ErrorKind::Transient);
  CHECK_FALSE(r.message.empty());
}
