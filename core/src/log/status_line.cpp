#include "log/status_line.hpp"

namespace regscan::log {
namespace {
constexpr const char* clear_to_end = "\x1b[K";
}

void StatusLine::put(const std::string& bytes) {
    std::fputs(bytes.c_str(), out_);
    std::fflush(out_);
}

void StatusLine::show(const std::string& text) {
    std::lock_guard lock(mutex_);
    text_ = text;
    shown_ = true;
    put("\r" + text_ + clear_to_end);
}

void StatusLine::around(const std::function<void()>& write) {
    std::lock_guard lock(mutex_);
    if (shown_) put(std::string("\r") + clear_to_end);
    write();
    if (shown_) put("\r" + text_ + clear_to_end);
}

void StatusLine::finish(const std::string& text) {
    std::lock_guard lock(mutex_);
    if (!shown_ && text.empty()) return;
    put("\r" + text + clear_to_end + (text.empty() ? "" : "\n"));
    shown_ = false;
    text_.clear();
}

StatusLine& status_line() {
    static StatusLine line;
    return line;
}

}  // namespace regscan::log
