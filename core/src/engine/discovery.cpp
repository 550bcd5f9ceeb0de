#include "engine/discovery.hpp"

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

#include "util/parallel.hpp"

namespace regscan::engine {

Discovery discover(plugin::RegistrySession& session, size_t concurrency) {
    Discovery result;
    auto repositories = session.repositories();
    result.repositories = repositories.size();
    spdlog::info("Found repositories count={}", repositories.size());

    std::mutex mutex;
    util::parallel_for(repositories.size(), concurrency, [&](size_t i) {
        const auto& repository = repositories[i];
        try {
            auto tags = session.tags(repository);
            std::lock_guard lock(mutex);
            for (auto& info : tags) {
                ImageRecord image;
                image.repository = repository;
                image.tag = std::move(info.tag);
                image.digest = std::move(info.digest);
                image.build_time = std::move(info.created);
                image.pushed = std::move(info.pushed);
                image.media_type = std::move(info.media_type);
                image.listed_platforms = std::move(info.platforms);
                result.images.push_back(std::move(image));
            }
        } catch (const std::exception& e) {
            spdlog::error("Failed to list tags repository={} error={}", repository.name, e.what());
            std::lock_guard lock(mutex);
            result.failures.push_back({repository.name, e.what()});
        }
    });
    std::sort(result.images.begin(), result.images.end(), [](const ImageRecord& a, const ImageRecord& b) {
        return std::tie(a.repository.name, a.tag, a.digest) < std::tie(b.repository.name, b.tag, b.digest);
    });
    std::sort(result.failures.begin(), result.failures.end(),
              [](const auto& a, const auto& b) { return a.repository < b.repository; });
    return result;
}

}  // namespace regscan::engine
