// What the two translation units of the threads plugin share: the Graph client aimed at
// graph.threads.net (setting api_base), and the calls publishing implements.
#ifndef MARKETSAGE_THREADS_THREADS_HPP
#define MARKETSAGE_THREADS_THREADS_HPP

#include "GraphApi.hpp"

namespace marketsage::threads {

/// The Threads API host (not graph.facebook.com): setting api_base, the real one by default.
inline std::string apiBase() { return meta::host.setting("/api_base", "https://graph.threads.net"); }

/// Graph calls with a Threads user token at {api_base}/{api_version}.
inline meta::Graph threadsGraph(const std::string& token) { return meta::Graph(token).onHost(apiBase()); }

// In threads_publish.cpp.
ms_status validate(const char* req, size_t len, const ms_reply* reply);
ms_status publish(const char* req, size_t len, const ms_reply* reply);
ms_status reconcile(const char* req, size_t len, const ms_reply* reply);

}  // namespace marketsage::threads

#endif  // MARKETSAGE_THREADS_THREADS_HPP
