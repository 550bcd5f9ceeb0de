#include "engine/image_scanner.hpp"

#include <atomic>
#include <exception>
#include <set>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "limits/limits.hpp"
#include "scan/byte_pipe.hpp"
#include "scan/config_checks.hpp"
#include "scan/image_fold.hpp"
#include "util/parallel.hpp"

namespace regscan::engine {
namespace {

// Enough to keep the decompressor busy while the next bytes arrive; small
// enough that memory does not grow with layer size or concurrency.
constexpr size_t pipe_capacity = 4 * 1024 * 1024;
// The consumer is woken per 256 KiB, not per 16 KiB transfer buffer.
constexpr size_t pipe_batch = 256 * 1024;
constexpr const char* reader_stopped = "layer reader stopped";

// A layer left unfinished because another layer of its image failed first.
// A type, not a message: an image waiting for the layer pulls it again, and a
// registry's error text quoting the words must not pass for it.
class LayerStopped : public std::runtime_error {
public:
    LayerStopped() : std::runtime_error("stopped: another layer of the image failed") {}
};

// rootfs.diff_ids of an image config, as strings ("" for a non-string entry).
std::vector<std::string> config_diff_ids(const nlohmann::json& config) {
    std::vector<std::string> ids;
    if (!config.contains("rootfs") || !config["rootfs"].is_object()) return ids;
    const auto& list = config["rootfs"].contains("diff_ids") ? config["rootfs"]["diff_ids"] : nlohmann::json();
    if (!list.is_array()) return ids;
    for (const auto& id : list) ids.push_back(id.is_string() ? id.get<std::string>() : std::string{});
    return ids;
}

std::runtime_error pulled_by_others_failed(const oci::Descriptor& layer) {
    return std::runtime_error("layer " + layer.digest + ": pulled by other images that each failed or ran out of time");
}

}  // namespace

std::shared_ptr<const scan::LayerFacts> ImageScanner::layer(const ImageRecord& image, const oci::Descriptor& layer,
                                                            std::chrono::steady_clock::time_point deadline,
                                                            const std::atomic<bool>& stop,
                                                            uint64_t& bytes_pulled) const {
    bool cached = false;
    uint64_t pulled = 0;  // written by the producer only, read after it joined
    auto facts = cache_.get(layer.digest, [&] {
        // Taken here, not around get(): an image waiting for a layer another
        // image is pulling holds no slot, so no two pulls wait on each other.
        slots_.acquire();
        struct Release {
            PullSlots& slots;
            ~Release() { slots.release(); }
        } release{slots_};
        if (stop) throw LayerStopped();
        // Set where this pull gives up because its image stopped; the
        // producer's and the reader's exceptions reach the catch below as text.
        std::atomic<bool> gave_up{false};
        auto give_up = [&] {
            gave_up = true;
            throw LayerStopped();
        };
        scan::BytePipe pipe(pipe_capacity, pipe_batch);
        std::thread producer([&] {
            try {
                client_.stream_blob(inspector_.base_of(image), ImageInspector::name_of(image), layer.digest,
                                    [&](const char* data, size_t size) {
                                        if (std::chrono::steady_clock::now() > deadline)
                                            throw ImageTimeout("image scan timed out while pulling layer " +
                                                               layer.digest);
                                        if (stop) give_up();
                                        counters_.bytes_pulled += size;
                                        pulled += size;
                                        if (!pipe.push(data, size)) throw std::runtime_error(reader_stopped);
                                    },
                                    deadline);
                pipe.close();
            } catch (const std::exception& e) {
                pipe.close(std::string(e.what()));
            }
        });
        try {
            // The deadline holds after the transfer too: a small blob may
            // take long to read (what it inflates to, however bounded).
            auto result = analyzer_.analyse(pipe, layer.digest, [&] {
                if (std::chrono::steady_clock::now() > deadline)
                    throw ImageTimeout("image scan timed out while reading layer " + layer.digest);
                if (stop) give_up();
            });
            producer.join();
            if (!pipe.error().empty()) throw std::runtime_error(pipe.error());
            ++counters_.layers_pulled;
            if (result.malware) {
                ++counters_.layers_malware_examined;
                spdlog::info("Examined layer for malware layer={} files={} bytes={} found={} incomplete={}",
                             layer.digest, result.malware->files, result.malware->bytes,
                             result.malware->findings.size(), result.malware->incomplete.size());
            }
            return result;
        } catch (...) {
            pipe.abort();
            producer.join();
            // Its image's stop ended it: not this layer's failure. A failure
            // of its own is kept, so the image still reports the first
            // failing layer in manifest order.
            if (gave_up) throw LayerStopped();
            // A transfer failure explains a broken stream better than the
            // reader's own complaint; "reader stopped" is just our abort.
            std::string transfer_error = pipe.error();
            if (!transfer_error.empty() && transfer_error != reader_stopped) {
                // A transfer broken past the deadline broke because of it: as
                // ImageTimeout, an image waiting for this layer knows the
                // failure was this image's and pulls the layer itself.
                if (std::chrono::steady_clock::now() > deadline)
                    throw ImageTimeout(transfer_error.starts_with("image scan timed out")
                                           ? transfer_error
                                           : "image scan timed out while pulling layer " + layer.digest + " (" +
                                                 transfer_error + ")");
                throw std::runtime_error("layer " + layer.digest + ": " + transfer_error);
            }
            throw;
        }
    }, cached);
    if (cached) ++counters_.layers_cached;
    bytes_pulled += pulled;
    return facts;
}

scan::ImageResult ImageScanner::scan(const ImageRecord& image, const ResolvedImage& platform,
                                     std::chrono::steady_clock::time_point deadline) const {
    scan::ImageResult result;
    result.repository = image.repository.name;
    result.tag = image.tag;
    result.digest = platform.digest;
    result.platform = platform.platform;
    result.build_time = platform.build_time;

    std::vector<scan::MalwareIncomplete> unexamined;  // layers the engines could not see
    const auto diff_ids = config_diff_ids(platform.config);
    // The filesystem layers in manifest order (the fold's order); the others
    // are noted and left out.
    std::vector<size_t> to_pull;
    for (size_t index = 0; index < platform.manifest.layers.size(); ++index) {
        const auto& descriptor = platform.manifest.layers[index];
        if (!descriptor.urls.empty()) {
            result.notes.push_back("foreign layer " + descriptor.digest + " (" + descriptor.media_type +
                                   ") is not distributed by the registry and was not scanned");
            unexamined.push_back({"", descriptor.digest, "foreign layer, not distributed by the registry: not examined"});
            continue;
        }
        if (!oci::is_filesystem_layer(descriptor.media_type)) {
            result.notes.push_back("layer " + descriptor.digest + " of type " + descriptor.media_type +
                                   " is not a filesystem layer");
            continue;
        }
        to_pull.push_back(index);
    }

    // Several layers of the image at once, each into its own slot: the fold
    // reads them in manifest order once all are there. The first layer to
    // fail (in manifest order) fails the image, and stops the others.
    std::vector<std::shared_ptr<const scan::LayerFacts>> layers(to_pull.size());
    std::vector<uint64_t> pulled(to_pull.size(), 0);
    std::vector<std::exception_ptr> errors(to_pull.size());
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> kept_bytes{0};
    util::parallel_for(to_pull.size(), layers_at_once_, [&](size_t slot) {
        const size_t index = to_pull[slot];
        const auto& descriptor = platform.manifest.layers[index];
        try {
            if (stop) return;
            if (std::chrono::steady_clock::now() > deadline) throw ImageTimeout("image scan timed out");
            std::shared_ptr<const scan::LayerFacts> facts;
            // Another image's pull of this layer that was stopped (that image
            // failed) or ran past that image's deadline is not this image's
            // failure: pull it again, a bounded number of times.
            for (int attempt = 0; !facts; ++attempt) {
                if (attempt > 0 && std::chrono::steady_clock::now() > deadline)
                    throw ImageTimeout("image scan timed out while waiting for layer " + descriptor.digest);
                try {
                    facts = layer(image, descriptor, deadline, stop, pulled[slot]);
                } catch (const LayerStopped&) {
                    if (stop) return;  // this image's failing layer says why
                    if (attempt >= 3) throw pulled_by_others_failed(descriptor);
                } catch (const ImageTimeout&) {
                    if (std::chrono::steady_clock::now() > deadline) throw;  // this image's own time ran out
                    // Never another image's timeout as this image's own.
                    if (stop) return;
                    if (attempt >= 3) throw pulled_by_others_failed(descriptor);
                }
            }
            // The config says what each layer unpacks to: a registry that
            // swaps a layer under an unchanged config is caught here.
            const auto& actual = facts->diff_id;
            if (index < diff_ids.size() && !actual.empty() && actual != diff_ids[index])
                throw std::runtime_error("layer " + descriptor.digest + " unpacks to " + actual +
                                         ", but the config's rootfs.diff_ids[" + std::to_string(index) + "] is " +
                                         diff_ids[index] + " (diff_id mismatch)");
            // Held together until the fold: many layers each under their own
            // bound still make one image's bound.
            if (kept_bytes.fetch_add(facts->kept_bytes) + facts->kept_bytes > limits::max_image_kept_bytes)
                throw std::runtime_error("the image's layers' whiteouts, analysed files and findings take more than " +
                                         std::to_string(limits::max_image_kept_bytes / limits::MiB) +
                                         " MiB (no real image does)");
            layers[slot] = std::move(facts);
        } catch (const ImageTimeout&) {
            errors[slot] = std::current_exception();
            stop = true;
        } catch (const std::exception& e) {
            std::string what = e.what();
            errors[slot] = std::make_exception_ptr(std::runtime_error(
                what.find(descriptor.digest) == std::string::npos ? "layer " + descriptor.digest + ": " + what : what));
            stop = true;
        }
    });
    for (auto pulled_bytes : pulled) result.bytes_pulled += pulled_bytes;
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
    if (stop) throw std::runtime_error("image scan stopped without a reason");  // cannot happen: a failure is kept
    std::vector<std::string> layer_digests;
    for (size_t slot = 0; slot < to_pull.size(); ++slot) {
        const auto& descriptor = platform.manifest.layers[to_pull[slot]];
        layer_digests.push_back(descriptor.digest);
        if (layers[slot]->diff_id.empty())
            result.notes.push_back("layer " + descriptor.digest + " (" + descriptor.media_type +
                                   "): its compression is not one whose diff_id regscan verifies");
    }
    std::vector<const scan::LayerFacts*> raw;
    for (const auto& l : layers) raw.push_back(l.get());
    auto folded = scan::fold_layers(raw);
    result.os = folded.os;
    result.packages = std::move(folded.packages);
    result.notes.insert(result.notes.end(), folded.notes.begin(), folded.notes.end());
    result.misconfigurations = scan::check_image_config(platform.config);
    result.misconfigurations.insert(result.misconfigurations.end(), folded.findings.begin(), folded.findings.end());
    if (malware_.scanner) {
        std::vector<malware::LayerView> views;
        for (size_t i = 0; i < layers.size(); ++i)
            views.push_back({layer_digests[i], layers[i]->malware ? &*layers[i]->malware : nullptr,
                             &layers[i]->deleted, &layers[i]->opaque_dirs});
        result.malware = malware::image_verdict(views, malware_.scanner->version());
        result.malware.reason.clear();
        result.malware.incomplete.insert(result.malware.incomplete.end(), unexamined.begin(), unexamined.end());
        if (result.malware.verdict == scan::MalwareVerdict::clean && !unexamined.empty())
            result.malware.verdict = scan::MalwareVerdict::incomplete;
    } else {
        result.malware.reason = malware_.not_scanned_reason;
    }
    match(result);
    return result;
}

void ImageScanner::match(scan::ImageResult& result) const {
    if (!matcher_) return;
    // One finding per installed package, version and advisory: a source
    // package's advisory is listed under each binary built from it, and
    // the same package found at two paths is one finding, in every format.
    std::set<std::string> seen;
    for (const auto& package : result.packages)
        for (auto& vulnerability : matcher_->match(package)) {
            if (vulnerability.package_name != package.name) {
                vulnerability.source_package = vulnerability.package_name;
                if (vulnerability.package_version != package.version)
                    vulnerability.source_version = vulnerability.package_version;
            }
            vulnerability.package_name = package.name;
            vulnerability.package_version = package.version;
            if (seen.insert(package.name + '\x1f' + package.version + '\x1f' + vulnerability.id).second)
                result.vulnerabilities.push_back(std::move(vulnerability));
        }
    result.vulnerability_data = scan::coverage_of(result.packages, *matcher_);
}

}  // namespace regscan::engine
