// The one error type for bad input: names the file, the JSON path and the expected form.
#pragma once

#include <stdexcept>
#include <string>

namespace fleetsim {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string json_path, std::string expected)
      : std::runtime_error(file + ": at " + (json_path.empty() ? "/" : json_path) + ": " +
                           expected),
        file_(std::move(file)),
        json_path_(std::move(json_path)),
        expected_(std::move(expected)) {}
  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }
  const std::string& expected() const { return expected_; }  // the message without file and path

 private:
  std::string file_;
  std::string json_path_;
  std::string expected_;
};

}  // namespace fleetsim
