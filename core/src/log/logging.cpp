#include "log/logging.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "log/status_line.hpp"
#include "util/text.hpp"

namespace regscan::log {
namespace {

// Where each field of a log line begins: the message at 0, and each " key="
// (a lowercase key, as in "image=" or "error="). One pass; once the fields
// found fill the line, the rest of it is one field, shown or left out whole.
std::vector<size_t> field_starts(std::string_view line) {
    std::vector<size_t> starts{0};
    size_t shown = 0;
    for (size_t at = 0; at < line.size(); ++at) {
        if (line[at] != ' ') continue;
        size_t key = at + 1;
        while (key < line.size() && ((line[key] >= 'a' && line[key] <= 'z') || line[key] == '_')) ++key;
        if (key == at + 1 || key == line.size() || line[key] != '=') {
            at = key - 1;  // a key holds no space
            continue;
        }
        shown += std::min(at - starts.back(), limits::max_echoed_value);
        if (shown > limits::max_log_line) break;
        starts.push_back(at);
        at = key;
    }
    return starts;
}

// Wraps another sink and redacts the message before it is formatted.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        // One event is one line: names, tags and messages from a registry
        // cannot move the cursor, retitle the terminal or forge a line. This
        // is the one place a log line is escaped: messages carry the text as
        // it is (escaped before, a control character would show as "\\e").
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        std::string clean = util::escape_control(
            redact_fields(payload, field_starts(payload), limits::max_echoed_value, limits::max_log_line));
        spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, clean);
        // Never on the progress line's row: it is cleared first and drawn again after.
        status_line().around([&] { inner_->log(copy); });
    }
    void flush_() override { inner_->flush(); }
    void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
        inner_->set_formatter(std::move(formatter));
    }

private:
    std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

void init(const std::string& level) {
    auto sink = std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto logger = std::make_shared<spdlog::logger>("regscan", sink);
    // UTC with a literal offset: the format users of the tool we replace parse.
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e+0000 %l %v",
                                                                       spdlog::pattern_time_type::utc));
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

}  // namespace regscan::log
