// Berkeley DB hash database, read only as far as rpm's Packages uses it: the
// metadata page gives the page size and byte order, every hash page holds
// key/data pairs (key: package number, data: the header blob, almost always
// on a chain of overflow pages). Layouts from Berkeley DB's dbinc/db_page.h.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "catalog/rpmdb.hpp"

namespace regscan::catalog::rpm {

namespace {

constexpr uint32_t hash_magic = 0x061561;
constexpr size_t page_header_size = 26;
enum PageType : uint8_t { hash_unsorted = 2, overflow = 7, hash_meta = 8, hash = 13 };
enum ItemType : uint8_t { key_data = 1, off_page = 3 };
constexpr uint8_t metaflag_checksum = 1;

class Pages {
public:
    explicit Pages(std::string_view db) : db_(db) {
        if (db.size() < 512) throw std::runtime_error("Berkeley DB file shorter than one page");
        if (raw32(12) == hash_magic) {
            swap_ = false;
        } else if (__builtin_bswap32(raw32(12)) == hash_magic) {
            swap_ = true;
        } else {
            throw std::runtime_error("not a Berkeley DB hash database");
        }
        page_size_ = u32(db, 20);
        if (page_size_ < 512 || page_size_ > 65536 || (page_size_ & (page_size_ - 1)) != 0) {
            throw std::runtime_error("Berkeley DB page size " + std::to_string(page_size_));
        }
        if (static_cast<uint8_t>(db[25]) != hash_meta) throw std::runtime_error("Berkeley DB metadata page missing");
        if (db[24] != 0) throw std::runtime_error("encrypted Berkeley DB");
        if (static_cast<uint8_t>(db[26]) & metaflag_checksum) throw std::runtime_error("checksummed Berkeley DB pages");
        count_ = db.size() / page_size_;
        overflow_pages_left_ = count_;
    }

    [[nodiscard]] size_t count() const { return count_; }
    [[nodiscard]] std::string_view page(size_t number) const {
        if (number >= count_) throw std::runtime_error("Berkeley DB page " + std::to_string(number) + " past the end");
        return db_.substr(number * page_size_, page_size_);
    }
    [[nodiscard]] uint32_t u32(std::string_view bytes, size_t at) const {
        if (at + 4 > bytes.size()) throw std::runtime_error("Berkeley DB item past its page");
        uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
        return swap_ ? __builtin_bswap32(v) : v;
    }
    [[nodiscard]] uint16_t u16(std::string_view bytes, size_t at) const {
        if (at + 2 > bytes.size()) throw std::runtime_error("Berkeley DB item past its page");
        auto v = static_cast<uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                       static_cast<unsigned char>(bytes[at + 1]) << 8);
        return swap_ ? static_cast<uint16_t>(v >> 8 | v << 8) : v;
    }

    // The value stored on a chain of overflow pages starting at `first`.
    // Each overflow page belongs to one value: all chains together visit at
    // most every page once, or they loop or share pages.
    [[nodiscard]] std::string overflow_value(uint32_t first, uint32_t total) {
        std::string value;
        value.reserve(total);
        uint32_t number = first;
        while (number != 0 && value.size() < total) {
            if (overflow_pages_left_ == 0) throw std::runtime_error("Berkeley DB overflow chains loop or share pages");
            --overflow_pages_left_;
            std::string_view p = page(number);
            if (static_cast<uint8_t>(p[25]) != overflow) throw std::runtime_error("Berkeley DB overflow page expected");
            uint16_t length = u16(p, 22);  // on overflow pages: the bytes held here
            if (page_header_size + length > p.size()) throw std::runtime_error("Berkeley DB overflow length");
            value.append(p.substr(page_header_size, length));
            number = u32(p, 16);
        }
        if (value.size() != total) throw std::runtime_error("Berkeley DB overflow chain shorter than its item");
        return value;
    }

private:
    uint32_t raw32(size_t at) const {
        uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(db_[at + static_cast<size_t>(i)]);
        return v;
    }

    std::string_view db_;
    bool swap_ = false;
    uint32_t page_size_ = 0;
    size_t count_ = 0;
    size_t overflow_pages_left_ = 0;
};

}  // namespace

void for_each_bdb_blob(std::string_view database, const BlobSink& sink) {
    Pages pages(database);
    BlobBudget budget(database);  // also keeps a lying overflow length from reserving gigabytes
    for (size_t number = 1; number < pages.count(); ++number) {
        std::string_view p = pages.page(number);
        auto type = static_cast<uint8_t>(p[25]);
        if (type != hash && type != hash_unsorted) continue;
        uint16_t entries = pages.u16(p, 20);
        // Items are key, data, key, data...; each inp[] slot is an offset in
        // the page, items packed from the end of the page downwards.
        for (uint16_t i = 1; i < entries; i += 2) {
            uint16_t offset = pages.u16(p, page_header_size + 2u * i);
            if (offset >= p.size()) throw std::runtime_error("Berkeley DB item offset past its page");
            auto item = static_cast<uint8_t>(p[offset]);
            if (item == off_page) {
                uint32_t first = pages.u32(p, offset + 4u);
                uint32_t total = pages.u32(p, offset + 8u);
                budget.spend(total);
                sink(pages.overflow_value(first, total));
            } else if (item == key_data) {
                uint16_t end = pages.u16(p, page_header_size + 2u * (i - 1));  // the key sits just above
                if (end <= offset || end > p.size()) throw std::runtime_error("Berkeley DB inline item bounds");
                // rpm keeps its next package number under key 0: 4 bytes, no header.
                if (end - offset - 1u >= 8) {
                    budget.spend(end - offset - 1u);
                    sink(p.substr(offset + 1u, end - offset - 1u));
                }
            }
        }
    }
}

}  // namespace regscan::catalog::rpm
