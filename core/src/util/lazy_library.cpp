#include "util/lazy_library.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace regscan::util {

void* LazyLibrary::symbol(const char* name) {
    std::call_once(opened_, [this] {
        handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char* error = ::dlerror();
            open_error_ = "cannot load " + soname_ + " (needed for " + purpose_ + "): " +
                          (error ? error : "unknown error");
        }
    });
    if (!handle_) throw std::runtime_error(open_error_);
    ::dlerror();
    void* address = ::dlsym(handle_, name);
    if (!address) throw std::runtime_error(soname_ + " has no " + name + " (needed for " + purpose_ + ")");
    return address;
}

}  // namespace regscan::util
