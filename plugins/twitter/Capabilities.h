// Every capability function of the X plugin (ms_call_fn), wired together in Plugin.cpp.
#pragma once

#include <marketsage/plugin.h>

namespace twitter {

ms_status authorizeUrl(const char* request, size_t length, const ms_reply* reply);
ms_status exchangeCode(const char* request, size_t length, const ms_reply* reply);
ms_status refresh(const char* request, size_t length, const ms_reply* reply);
ms_status revoke(const char* request, size_t length, const ms_reply* reply);

ms_status listAccounts(const char* request, size_t length, const ms_reply* reply);
ms_status checkToken(const char* request, size_t length, const ms_reply* reply);
ms_status accountInsights(const char* request, size_t length, const ms_reply* reply);

ms_status validate(const char* request, size_t length, const ms_reply* reply);
ms_status publish(const char* request, size_t length, const ms_reply* reply);
ms_status uploadMedia(const char* request, size_t length, const ms_reply* reply);
ms_status deletePost(const char* request, size_t length, const ms_reply* reply);
ms_status postInsights(const char* request, size_t length, const ms_reply* reply);
ms_status reconcile(const char* request, size_t length, const ms_reply* reply);

}  // namespace twitter
