#include "serve/secret_box.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "regscan/base64.hpp"

namespace regscan::serve {
namespace {

constexpr size_t nonce_bytes = 12;
constexpr size_t tag_bytes = 16;
constexpr std::string_view prefix = "v1:";
// A key file holds the key as 64 hex digits and a newline.
constexpr size_t key_file_max = 256;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Ctx new_ctx() {
    Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (!ctx) throw SecretBoxError("out of memory");
    return ctx;
}

std::string to_hex(const SecretBox::Key& key) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : key) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

SecretBox::Key parse_key(std::string text, const std::filesystem::path& file) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    SecretBox::Key key{};
    if (text.size() != 2 * SecretBox::key_bytes)
        throw SecretBoxError("the key file " + file.string() + " does not hold a key (64 hex digits)");
    for (size_t i = 0; i < key.size(); ++i) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw SecretBoxError("the key file " + file.string() + " does not hold a key (64 hex digits)");
        key[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return key;
}

SecretBox::Key read_key_file(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw SecretBoxError("cannot read the key file " + file.string() + ": " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw SecretBoxError("the key file " + file.string() + " is not a regular file");
    if (st.st_uid != ::geteuid())
        throw SecretBoxError("the key file " + file.string() + " belongs to another user");
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        throw SecretBoxError("the key file " + file.string() +
                             " can be read or written by other users: chmod 600 it");
    std::string text(key_file_max, '\0');
    ssize_t got = ::read(fd, text.data(), text.size());
    if (got < 0) throw SecretBoxError("cannot read the key file " + file.string() + ": " + std::strerror(errno));
    text.resize(static_cast<size_t>(got));
    return parse_key(std::move(text), file);
}

}  // namespace

SecretBox SecretBox::from_key_file(const std::filesystem::path& file) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno != EEXIST)
            throw SecretBoxError("cannot create the key file " + file.string() + ": " + std::strerror(errno));
        return SecretBox(read_key_file(file));
    }
    Key key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        ::close(fd);
        ::unlink(file.c_str());
        throw SecretBoxError("no random bytes for a new key");
    }
    std::string line = to_hex(key) + "\n";
    bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        ::unlink(file.c_str());
        throw SecretBoxError("cannot write the key file " + file.string());
    }
    return SecretBox(key);
}

std::string SecretBox::seal(std::string_view plaintext) const {
    std::string out(nonce_bytes + plaintext.size() + tag_bytes, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    if (RAND_bytes(bytes, nonce_bytes) != 1) throw SecretBoxError("no random bytes for a nonce");
    auto ctx = new_ctx();
    int len = 0, final_len = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_bytes, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), bytes) != 1 ||
        EVP_EncryptUpdate(ctx.get(), bytes + nonce_bytes, &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), bytes + nonce_bytes + len, &final_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_bytes,
                            bytes + nonce_bytes + plaintext.size()) != 1)
        throw SecretBoxError("encryption failed");
    return std::string(prefix) + sdk::base64_encode(out);
}

std::string SecretBox::open(std::string_view sealed) const {
    if (sealed.substr(0, prefix.size()) != prefix) throw SecretBoxError("not a sealed secret");
    auto raw = sdk::base64_decode(sealed.substr(prefix.size()));
    if (!raw || raw->size() < nonce_bytes + tag_bytes) throw SecretBoxError("not a sealed secret");
    auto* bytes = reinterpret_cast<unsigned char*>(raw->data());
    size_t text_size = raw->size() - nonce_bytes - tag_bytes;
    std::string plaintext(text_size, '\0');
    auto ctx = new_ctx();
    int len = 0, final_len = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_bytes, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), bytes) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len, bytes + nonce_bytes,
                          static_cast<int>(text_size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_bytes, bytes + nonce_bytes + text_size) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + len, &final_len) != 1)
        throw SecretBoxError("a sealed secret does not open: altered, or sealed under another key");
    return plaintext;
}

}  // namespace regscan::serve
