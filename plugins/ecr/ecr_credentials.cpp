#include "ecr_credentials.hpp"

namespace regscan::ecr {

RefreshingCredentials::RefreshingCredentials(Environment env, std::string source,
                                             std::function<AwsCredentials()> fetch)
    : env_(std::move(env)), source_(std::move(source)), fetch_(std::move(fetch)) {}

AwsCredentials RefreshingCredentials::get(bool renew) {
    std::lock_guard lock(mutex_);
    bool stale = !cached_ || (cached_->expiration && *cached_->expiration - margin <= env_.now());
    if (renew || stale) cached_ = fetch_();
    return *cached_;
}

}  // namespace regscan::ecr
