#include "scan/gzip_inflater.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <zlib.h>

#ifdef REGSCAN_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace regscan::scan {
namespace {

// How much of a member's compressed start is kept so that zlib can take the
// member over when ISA-L refuses it: headers and the first blocks, where an
// unusual stream shows. Beyond it an ISA-L error is final.
constexpr size_t keep_limit = 1024 * 1024;
// Enough of the previous chunk for ISA-L's read-ahead (its 64-bit bit buffer)
// to be given back when a member ends just after a chunk boundary.
constexpr size_t tail_size = 16;

bool gzip_magic(std::string_view bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

#ifdef REGSCAN_HAVE_ISAL
std::string isal_reason(int status) {
    switch (status) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
        case ISAL_INVALID_WRAPPER: return "invalid gzip header";
        case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
        case ISAL_INCORRECT_CHECKSUM: return "incorrect data check (CRC-32 or length)";
        case ISAL_NEED_DICT: return "needs a dictionary";
        default: return "inflate failed (" + std::to_string(status) + ")";
    }
}
#endif

}  // namespace

struct GzipInflater::State {
#ifdef REGSCAN_HAVE_ISAL
    inflate_state isal{};
#endif
    z_stream zlib{};
    bool zlib_open = false;
    std::string scratch;  // where zlib's replayed output goes when it is dropped

    ~State() {
        if (zlib_open) inflateEnd(&zlib);
    }

    // zlib ready for a new gzip member: opened once, reset after.
    void start_zlib() {
        if (!zlib_open) {
            if (inflateInit2(&zlib, 15 + 16) != Z_OK) throw std::runtime_error("cannot start gzip decompression");
            zlib_open = true;
        } else {
            inflateReset(&zlib);
        }
    }
};

bool GzipInflater::isal_built_in() {
#ifdef REGSCAN_HAVE_ISAL
    return true;
#else
    return false;
#endif
}

GzipInflater::GzipInflater(Engine engine)
    : engine_(isal_built_in() ? engine : Engine::zlib), state_(std::make_unique<State>()) {
#ifdef REGSCAN_HAVE_ISAL
    if (engine_ == Engine::isal) isal_inflate_init(&state_->isal);
#endif
}

GzipInflater::~GzipInflater() = default;

void GzipInflater::give(std::string chunk) {
    if (trailing_) return;
    // Keep the end of what was consumed: ISA-L may hand back read-ahead bytes.
    if (input_.size() >= tail_size) {
        previous_tail_.assign(input_, input_.size() - tail_size, tail_size);
    } else {
        previous_tail_ += input_;
        if (previous_tail_.size() > tail_size) previous_tail_.erase(0, previous_tail_.size() - tail_size);
    }
    if (used_ < input_.size()) {
        // Rare: a byte or two waited for the rest of a gzip header.
        input_ = input_.substr(used_) + chunk;
    } else {
        input_ = std::move(chunk);
    }
    used_ = 0;
}

bool GzipInflater::at_boundary() const { return !in_member_ && (trailing_ || used_ == input_.size()); }

bool GzipInflater::start_member() {
    std::string_view rest(input_.data() + used_, input_.size() - used_);
    if (trailing_ || rest.empty()) return false;
    if (members_ > 0) {
        // Another member, or padding after the last one (not part of the layer).
        if (static_cast<unsigned char>(rest[0]) != 0x1f || (rest.size() >= 2 && !gzip_magic(rest))) {
            trailing_ = true;
            input_.clear();
            used_ = 0;
            return false;
        }
        if (rest.size() < 2) return false;
    }
    in_member_ = true;
    member_out_ = 0;
    skip_ = 0;
    kept_.clear();
    kept_all_ = true;
    member_on_zlib_ = engine_ == Engine::zlib;
    if (member_on_zlib_) {
        state_->start_zlib();
    }
#ifdef REGSCAN_HAVE_ISAL
    else {
        isal_inflate_reset(&state_->isal);
        state_->isal.crc_flag = ISAL_GZIP;  // parse the header, check CRC-32 and ISIZE
        state_->isal.hist_bits = 0;
    }
#endif
    return true;
}

size_t GzipInflater::inflate(std::span<char> out) {
    while (true) {
        if (!in_member_ && !start_member()) return 0;
        size_t replay_before = replay_used_, used_before = used_;
        size_t produced = member_on_zlib_ ? inflate_zlib(out) : inflate_isal(out);
        if (produced > 0) return produced;
        if (!in_member_) continue;  // a member ended: the next one, or padding
        bool input_left = used_ < input_.size() || replay_used_ < replay_.size();
        if (!input_left) return 0;
        if (used_ == used_before && replay_used_ == replay_before && skip_ == 0)
            throw std::runtime_error("gzip stream is corrupt: inflate makes no progress");
    }
}

size_t GzipInflater::inflate_isal(std::span<char> out) {
#ifdef REGSCAN_HAVE_ISAL
    auto& s = state_->isal;
    size_t available = input_.size() - used_;
    s.next_in = reinterpret_cast<uint8_t*>(input_.data() + used_);
    s.avail_in = static_cast<uint32_t>(std::min<size_t>(available, std::numeric_limits<uint32_t>::max()));
    size_t room = std::min<size_t>(out.size(), std::numeric_limits<uint32_t>::max());
    s.next_out = reinterpret_cast<uint8_t*>(out.data());
    s.avail_out = static_cast<uint32_t>(room);
    size_t offered = s.avail_in;
    int status = isal_inflate(&s);
    size_t took = offered - s.avail_in;
    if (kept_all_) {
        if (kept_.size() + took <= keep_limit) {
            kept_.append(input_.data() + used_, took);
        } else {
            kept_all_ = false;
            kept_ = std::string();
        }
    }
    used_ += took;
    if (status < 0) {
        // This call's output is dropped: zlib makes it again, or the layer fails.
        fall_back_to_zlib(isal_reason(status));
        return 0;
    }
    size_t produced = room - s.avail_out;
    member_out_ += produced;
    if (s.block_state == ISAL_BLOCK_FINISH) {
        // Bytes ISA-L read ahead past the trailer belong to the next member.
        rewind(static_cast<size_t>(s.read_in_length / 8));
        in_member_ = false;
        ++members_;
        kept_ = std::string();
    }
    return produced;
#else
    (void)out;
    throw std::logic_error("ISA-L is not built in");
#endif
}

void GzipInflater::rewind(size_t bytes) {
    if (bytes <= used_) {
        used_ -= bytes;
        return;
    }
    size_t earlier = bytes - used_;
    if (earlier > previous_tail_.size()) throw std::runtime_error("gzip stream: cannot give back read-ahead bytes");
    input_ = previous_tail_.substr(previous_tail_.size() - earlier) + input_;
    used_ = 0;
}

void GzipInflater::fall_back_to_zlib(const std::string& reason) {
    if (!kept_all_) throw std::runtime_error("gzip stream is corrupt: " + reason);
    state_->start_zlib();
    replay_ = std::move(kept_);
    kept_ = std::string();
    replay_used_ = 0;
    skip_ = member_out_;
    member_on_zlib_ = true;
    ++fallbacks_;
}

size_t GzipInflater::inflate_zlib(std::span<char> out) {
    auto& z = state_->zlib;
    bool from_replay = replay_used_ < replay_.size();
    std::string& source = from_replay ? replay_ : input_;
    size_t& position = from_replay ? replay_used_ : used_;
    size_t available = source.size() - position;
    z.next_in = reinterpret_cast<Bytef*>(source.data() + position);
    z.avail_in = static_cast<uInt>(std::min<size_t>(available, std::numeric_limits<uInt>::max()));
    char* target = out.data();
    size_t room = std::min<size_t>(out.size(), std::numeric_limits<uInt>::max());
    if (skip_ > 0) {
        if (state_->scratch.empty()) state_->scratch.resize(256 * 1024);
        target = state_->scratch.data();
        room = static_cast<size_t>(std::min<uint64_t>(skip_, state_->scratch.size()));
    }
    z.next_out = reinterpret_cast<Bytef*>(target);
    z.avail_out = static_cast<uInt>(room);
    size_t offered = z.avail_in;
    int status = ::inflate(&z, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
        throw std::runtime_error(std::string("gzip stream is corrupt: ") + (z.msg ? z.msg : "inflate failed"));
    position += offered - z.avail_in;
    size_t produced = room - z.avail_out;
    if (skip_ > 0) {
        skip_ -= produced;
        produced = 0;
    }
    member_out_ += produced;
    if (status == Z_STREAM_END) {
        if (skip_ > 0) throw std::runtime_error("gzip stream is corrupt: member shorter on the second reading");
        in_member_ = false;
        ++members_;
        if (replay_used_ < replay_.size()) {
            // Kept bytes past this member's end: the next member's start.
            input_ = replay_.substr(replay_used_) + input_.substr(used_);
            used_ = 0;
        }
        replay_ = std::string();
        replay_used_ = 0;
    }
    return produced;
}

}  // namespace regscan::scan
