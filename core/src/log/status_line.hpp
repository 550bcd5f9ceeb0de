// One live status line at the bottom of a terminal (the progress line), kept
// apart from the log: a log line first clears it and it is drawn again after,
// so the two never share a line, and it ends without leaving half a line.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

namespace regscan::log {

class StatusLine {
public:
    explicit StatusLine(std::FILE* out = stderr) : out_(out) {}

    // Replaces the line with `text` (no newline, no control characters).
    void show(const std::string& text);
    // Runs `write` (which prints whole lines) with the line cleared, then
    // draws it again.
    void around(const std::function<void()>& write);
    // Leaves `text` as the line's last state, ended by a newline ("" clears
    // it and leaves nothing), and stops drawing.
    void finish(const std::string& text);

private:
    void put(const std::string& bytes);

    std::FILE* out_;
    std::mutex mutex_;
    bool shown_ = false;
    std::string text_;
};

// The process's one status line on standard error: the progress line draws on
// it, the console log sink writes around it.
StatusLine& status_line();

}  // namespace regscan::log
