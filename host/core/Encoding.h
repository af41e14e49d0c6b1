#pragma once
/// Byte encodings and digests used across the host.

#include <string>
#include <string_view>
#include <vector>

namespace marketsage::encoding {

std::string base64Url(const std::vector<unsigned char>& data);
std::string hex(const unsigned char* data, std::size_t size);
/// Lower-case hex SHA-256 of the text.
std::string sha256Hex(std::string_view text);
/// True when the text is well-formed UTF-8 with no control characters except tab/newline.
bool isCleanUtf8(std::string_view text);

}  // namespace marketsage::encoding
