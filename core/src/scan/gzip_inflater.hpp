// Inflates a gzip stream of one or more members (RFC 1952), as layers come:
// with ISA-L's igzip where the build has it (several times faster than zlib
// on x86-64, and inflating is most of a scan's CPU), with zlib otherwise.
// zlib is also the fallback for a member ISA-L refuses early on: the first
// bytes of each member are kept (bounded), and a member ISA-L rejects within
// them is inflated again by zlib, which skips what was already handed out.
// Each member's CRC-32 and ISIZE are checked; header extras (FEXTRA, FNAME,
// FCOMMENT, FHCRC) are read past.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace regscan::scan {

class GzipInflater {
public:
    enum class Engine { isal, zlib };

    // True when the build links ISA-L.
    static bool isal_built_in();

    // `engine` isal falls back to zlib when ISA-L is not built in.
    explicit GzipInflater(Engine engine = Engine::isal);
    ~GzipInflater();
    GzipInflater(const GzipInflater&) = delete;
    GzipInflater& operator=(const GzipInflater&) = delete;

    // True when inflate() cannot go on without give().
    [[nodiscard]] bool needs_input() const;
    // The next compressed bytes of the stream.
    void give(std::string chunk);
    // Inflates into `out`; returns the bytes written, 0 when input is needed.
    // Throws std::runtime_error on a corrupt stream (bad header, deflate
    // data, CRC or ISIZE).
    size_t inflate(std::span<char> out);
    // True when the stream may end here: between members (anything after the
    // last member that is not a gzip header is padding, not part of it).
    [[nodiscard]] bool at_boundary() const;

    // The engine the stream started with, and how many members zlib took
    // over from ISA-L.
    [[nodiscard]] Engine engine() const { return engine_; }
    [[nodiscard]] size_t zlib_fallbacks() const { return fallbacks_; }
    [[nodiscard]] size_t members() const { return members_; }

private:
    struct State;
    size_t inflate_isal(std::span<char> out);
    size_t inflate_zlib(std::span<char> out);
    bool start_member();
    void fall_back_to_zlib(const std::string& isal_reason);
    void rewind(size_t bytes);

    Engine engine_;
    std::unique_ptr<State> state_;
    std::string input_;
    size_t used_ = 0;
    std::string previous_tail_;  // the last bytes of the previous chunk, for a rewind across chunks
    bool in_member_ = false;
    bool trailing_ = false;      // padding after the last member: ignored
    bool member_on_zlib_ = false;
    std::string kept_;           // the member's first compressed bytes, while ISA-L inflates it
    bool kept_all_ = true;       // kept_ holds the member from its start
    uint64_t member_out_ = 0;    // bytes this member handed out
    uint64_t skip_ = 0;          // zlib's output to drop: ISA-L already handed it out
    std::string replay_;         // kept_, fed to zlib before input_
    size_t replay_used_ = 0;
    size_t fallbacks_ = 0;
    size_t members_ = 0;
};

}  // namespace regscan::scan
