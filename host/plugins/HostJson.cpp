// The JSON helpers of the ms_host table: json_get, json_quote and the parsed-document handles.
#include "core/Json.h"
#include "plugins/HostServices.h"
#include "plugins/HostServicesDetail.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <memory>

namespace json = boost::json;

namespace marketsage::plugins {

namespace {

json::parse_options parseOptions() {
  json::parse_options o;
  o.max_depth = 64;
  return o;
}

/// Writes a found JSON value the way setting()/json_get() promise: strings raw, others as JSON.
int32_t writeValue(const json::value* v, const ms_sink* out) {
  if (v == nullptr) return MS_JSON_NONE;
  switch (v->kind()) {
    case json::kind::null: writeToSink(out, "null"); return MS_JSON_NULL;
    case json::kind::bool_: writeToSink(out, v->get_bool() ? "true" : "false"); return MS_JSON_BOOL;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_NUMBER;
    case json::kind::string: writeToSink(out, v->get_string()); return MS_JSON_STRING;
    case json::kind::array: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_ARRAY;
    case json::kind::object: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_OBJECT;
  }
  return MS_JSON_NONE;
}

const json::value* lookup(const json::value& doc, const char* pointer) {
  boost::system::error_code ec;
  const json::value* v = doc.find_pointer(pointer ? pointer : "", ec);
  return ec ? nullptr : v;
}

/// What a ms_json_doc handle points at.
struct ParsedDocument {
  json::value root;
};

}  // namespace

namespace detail {

int32_t hostJsonGet(const ms_host*, const char* text, size_t len, const char* pointer, const ms_sink* out) {
  try {
    if (text == nullptr) return MS_JSON_NONE;
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(text, len), ec, {}, parseOptions());
    if (ec) return MS_JSON_NONE;
    return writeValue(lookup(doc, pointer), out);
  } catch (...) {
    return MS_JSON_NONE;
  }
}

void hostJsonQuote(const ms_host*, const char* text, size_t len, const ms_sink* out) {
  try {
    writeToSink(out, json::serialize(json::string_view(text ? text : "", text ? len : 0)));
  } catch (...) {
  }
}

// ---- ABI 1.1 ---------------------------------------------------------------------------------

ms_json_doc* hostJsonParse(const ms_host*, const char* text, size_t len) {
  try {
    if (text == nullptr) return nullptr;
    boost::system::error_code ec;
    auto doc = std::make_unique<ParsedDocument>();
    doc->root = json::parse(json::string_view(text, len), ec, {}, parseOptions());
    if (ec) return nullptr;
    return reinterpret_cast<ms_json_doc*>(doc.release());
  } catch (...) {
    return nullptr;
  }
}

int32_t hostJsonDocGet(const ms_host*, const ms_json_doc* doc, const char* pointer, const ms_sink* out) {
  try {
    if (doc == nullptr) return MS_JSON_NONE;
    return writeValue(lookup(reinterpret_cast<const ParsedDocument*>(doc)->root, pointer), out);
  } catch (...) {
    return MS_JSON_NONE;
  }
}

int64_t hostJsonDocCount(const ms_host*, const ms_json_doc* doc, const char* pointer) {
  try {
    if (doc == nullptr) return -1;
    const json::value* v = lookup(reinterpret_cast<const ParsedDocument*>(doc)->root, pointer);
    if (v == nullptr) return -1;
    if (v->is_array()) return static_cast<int64_t>(v->get_array().size());
    if (v->is_object()) return static_cast<int64_t>(v->get_object().size());
    return -1;
  } catch (...) {
    return -1;
  }
}

void hostJsonFree(const ms_host*, ms_json_doc* doc) { delete reinterpret_cast<ParsedDocument*>(doc); }

int32_t writeJsonAt(const json::value& doc, const char* pointer, const ms_sink* out) {
  return writeValue(lookup(doc, pointer), out);
}

}  // namespace detail

}  // namespace marketsage::plugins
