#include "engine/image_run.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "app/plugin_options.hpp"
#include "auth/session_credentials.hpp"
#include "engine/image_inspector.hpp"
#include "engine/registry_probe.hpp"
#include "engine/run_pipeline.hpp"
#include "local/docker_archive.hpp"
#include "local/oci_layout.hpp"
#include "local/sbom_input.hpp"
#include "oci/distribution_client.hpp"
#include "plugin/registry_session.hpp"
#include "regscan/url.hpp"
#include "report/table_report.hpp"

namespace regscan::engine {

using app::ExitCode;
using app::Fatal;

namespace {

// As docker reads a reference: the first component names a registry only
// when it has a '.' or a ':' or is "localhost"; otherwise the image is on
// Docker Hub, and a name of one component is an official ("library/") image.
bool names_a_registry(std::string_view component) {
    return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

constexpr const char* docker_hub_registry = "https://registry-1.docker.io";
// The name reports give an image read from a local OCI layout; never contacted.
constexpr const char* local_registry = "http://oci-layout";
constexpr const char* local_repository = "oci-layout";
// The name reports give the image an SBOM describes (sbom:FILE); the tag is the file's name.
constexpr const char* local_sbom_registry = "http://sbom";
constexpr const char* local_sbom_repository = "sbom";

// "5000/team/app" after "oci:": a registry host named oci with a port.
bool names_a_port(std::string_view after) {
    auto digits = after.substr(0, after.find('/'));
    return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos &&
           after.size() > digits.size();
}

// A private directory the pipeline writes its reports into when `image`
// delivers one of them to -o; removed with everything in it.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "regscan-image-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw Fatal(ExitCode::internal_error, "cannot create a temporary directory for the report");
        path_ = pattern;
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Sends std::cout (the table report and the summary) to `into` while alive.
class CaptureStandardOutput {
public:
    explicit CaptureStandardOutput(std::ostream& into) : previous_(std::cout.rdbuf(into.rdbuf())) {}
    CaptureStandardOutput(const CaptureStandardOutput&) = delete;
    CaptureStandardOutput& operator=(const CaptureStandardOutput&) = delete;
    ~CaptureStandardOutput() { std::cout.rdbuf(previous_); }

private:
    std::streambuf* previous_;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The report the run wrote into `scratch` for the one format asked (the
// inventory CSV in dry-run mode): the only file besides the inventory.
std::filesystem::path written_report(const std::filesystem::path& scratch, bool dry_run) {
    std::vector<std::filesystem::path> inventory, others;
    for (const auto& entry : std::filesystem::directory_iterator(scratch)) {
        if (!entry.is_regular_file()) continue;
        const std::string name = entry.path().filename().string();
        (name.size() > 11 && name.compare(name.size() - 11, 11, "-report.csv") == 0 ? inventory : others)
            .push_back(entry.path());
    }
    const auto& wanted = dry_run ? inventory : others;
    if (wanted.size() != 1)
        throw Fatal(ExitCode::internal_error, "the run wrote " + std::to_string(wanted.size()) +
                                                  " report files where one was expected");
    return wanted.front();
}

// Delivers the one report to -o, and the summary (captured with it) to
// standard output, or to standard error when the report went there; the
// summary lines naming the scratch files are left out.
void deliver(const ImageRunChoices& choices, const RunOptions& options, const ScratchDirectory& scratch,
             const std::string& captured) {
    const bool dry_run = options.mode == Mode::dry_run;
    const bool table = !dry_run && options.formats.size() == 1 && options.formats.front() == "table";
    auto summary_at = captured.find("Registry Summary:\n");
    std::string report = table ? captured.substr(0, summary_at)
                               : read_file(written_report(scratch.path(), dry_run));
    std::string summary;
    if (summary_at != std::string::npos) {
        std::istringstream lines(captured.substr(summary_at));
        for (std::string line; std::getline(lines, line);)
            if (line.find(scratch.path().string()) == std::string::npos) summary += line + "\n";
    }
    if (choices.output == "-") {
        std::cout << report << std::flush;
        std::cerr << summary << std::flush;
        return;
    }
    {
        std::ofstream out(choices.output, std::ios::binary | std::ios::trunc);
        out << report;
        out.flush();
        if (!out) throw Fatal(ExitCode::internal_error, "cannot write the report to " + choices.output);
    }
    spdlog::info("Output report: {}", choices.output);
    std::cout << summary << "    Report                : " << choices.output << "\n" << std::flush;
}

// With --platform given, a single-platform image of another platform is
// refused before it is scanned (an index without the platform is skipped by
// the pipeline, and refused after it). A failure here is left to the
// pipeline, which reports it as for any image.
void refuse_other_platform(const oci::DistributionClient& distribution, const RunOptions& options,
                           const ImageRecord& image, const std::string& reference) {
    auto selector = oci::PlatformSelector::parse(options.platform);
    if (selector.all) return;
    ImageRecord probe = image;
    std::vector<ResolvedImage> resolved;
    try {
        ImageInspector inspector(distribution, sdk::registry_base(options.url), selector, options.limits);
        resolved = inspector.resolve(probe);
    } catch (const std::exception&) {
        return;
    }
    const bool index = probe.media_type == oci::media::oci_index || probe.media_type == oci::media::docker_list;
    if (index || resolved.size() != 1) return;
    auto platform = oci::Platform::parse(resolved.front().platform);
    if (!platform || selector.matches(*platform)) return;
    throw Fatal(ExitCode::bad_arguments, reference + " is a single-platform image for " + resolved.front().platform +
                                             ": it does not match --platform " + options.platform +
                                             " (leave --platform out to scan it)");
}

}  // namespace

ImageReference parse_image_reference(const std::string& text) {
    // "oci:DIR", "docker-archive:FILE", "sbom:FILE" name local inputs, not a
    // registry host "oci" (a port is digits): refused at once, never sent
    // over the network.
    if (text.rfind("oci:", 0) == 0 && !names_a_port(std::string_view(text).substr(4))) {
        auto [directory, name] = local::split_oci_reference(text.substr(4));
        if (directory.empty()) throw Fatal(ExitCode::bad_arguments, "oci: needs a directory: oci:DIR[:REF]");
        ImageReference ref;
        ref.registry_url = local_registry;
        ref.repository = local_repository;
        ref.tag = name.empty() ? "latest" : name;
        ref.oci_layout = directory;
        ref.oci_ref = name;
        return ref;
    }
    if (text.rfind("docker-archive:", 0) == 0) {
        ImageReference ref;
        ref.docker_archive = text.substr(15);
        if (ref.docker_archive.empty())
            throw Fatal(ExitCode::bad_arguments, "docker-archive: needs a file: docker-archive:FILE[:REF|:@N]");
        ref.registry_url = local_registry;
        ref.repository = local_repository;
        ref.tag = "latest";
        return ref;
    }
    if (text.rfind("sbom:", 0) == 0 && !names_a_port(std::string_view(text).substr(5))) {
        ImageReference ref;
        ref.sbom = text.substr(5);
        if (ref.sbom.empty()) throw Fatal(ExitCode::bad_arguments, "sbom: needs a file: sbom:FILE.json");
        ref.registry_url = local_sbom_registry;
        ref.repository = local_sbom_repository;
        ref.tag = local::sbom_tag(ref.sbom);
        return ref;
    }
    for (const char* transport : {"oci-archive:", "docker-daemon:", "dir:"}) {
        const std::string_view prefix(transport);
        if (text.rfind(prefix, 0) != 0) continue;
        if (!names_a_port(std::string_view(text).substr(prefix.size())))
            throw Fatal(ExitCode::bad_arguments,
                        "'" + std::string(transport) + "' names a local input, which this regscan cannot read yet "
                        "(only images in a registry); push the image to a registry (skopeo copy " + text +
                        " docker://HOST/REPO:TAG) and scan it there");
    }
    std::string rest = text;
    std::string scheme;
    if (auto sep = rest.find("://"); sep != std::string::npos) {
        scheme = rest.substr(0, sep);
        rest = rest.substr(sep + 3);
        if (scheme != "https" && scheme != "http")
            throw Fatal(ExitCode::bad_arguments, "unsupported URL scheme '" + scheme +
                                                     "': a registry is reached over https:// (or http://)");
    }
    if (rest.empty() || rest.front() == '/' || rest.back() == '/')
        throw Fatal(ExitCode::bad_arguments, "image reference must be [host[:port]/]repository[:tag|@digest]: " + text);
    ImageReference ref;
    auto slash = rest.find('/');
    std::string name;
    if (scheme.empty() && (slash == std::string::npos || !names_a_registry(rest.substr(0, slash)))) {
        ref.registry_url = docker_hub_registry;
        name = slash == std::string::npos ? "library/" + rest : rest;
    } else {
        if (slash == std::string::npos)
            throw Fatal(ExitCode::bad_arguments,
                        "image reference must be host[:port]/repository[:tag|@digest]: " + text);
        ref.registry_url = (scheme.empty() ? "https" : scheme) + "://" + rest.substr(0, slash);
        name = rest.substr(slash + 1);
    }
    if (auto at = name.find('@'); at != std::string::npos) {
        ref.digest = name.substr(at + 1);
        name = name.substr(0, at);
        if (ref.digest.rfind("sha256:", 0) != 0)
            throw Fatal(ExitCode::bad_arguments, "image digest must be sha256:<hex>: " + text);
    } else if (auto colon = name.rfind(':'); colon != std::string::npos && name.find('/', colon) == std::string::npos) {
        ref.tag = name.substr(colon + 1);
        name = name.substr(0, colon);
    } else {
        ref.tag = "latest";
    }
    if (name.empty()) throw Fatal(ExitCode::bad_arguments, "image reference has no repository: " + text);
    ref.repository = name;
    return ref;
}

app::ExitCode run_image(RunOptions options, const std::string& reference, const plugin::PluginSet& plugins,
                        const ImageRunChoices& choices) {
    auto ref = parse_image_reference(reference);
    options.url = ref.registry_url;
    std::unique_ptr<ScratchDirectory> scratch;
    if (!choices.output.empty()) {
        if (choices.output != "-") {
            auto parent = std::filesystem::absolute(choices.output).parent_path();
            if (!std::filesystem::is_directory(parent))
                throw Fatal(ExitCode::bad_arguments, "-o " + choices.output + ": no such directory " + parent.string());
        }
        scratch = std::make_unique<ScratchDirectory>();
        options.output_dir = scratch->path().string();
    }
    RunPipeline pipeline(options);

    // A local layout: read from its files, no registry, no plugin.
    std::unique_ptr<local::OciLayout> layout;
    std::unique_ptr<ScratchDirectory> unpacked;
    if (!ref.docker_archive.empty()) {
        unpacked = std::make_unique<ScratchDirectory>();
        try {
            auto archive = local::unpack_docker_archive(ref.docker_archive, unpacked->path(), options.limits);
            ref.oci_layout = archive.layout.string();
            ref.oci_ref = archive.ref;
            ref.tag = archive.ref;
        } catch (const sdk::Error& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        }
    }
    if (!ref.oci_layout.empty()) {
        try {
            layout = std::make_unique<local::OciLayout>(pipeline.auth(), ref.oci_layout, ref.oci_ref, options.limits);
        } catch (const sdk::Error& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        }
        pipeline.read_from(layout.get());
    }
    // An SBOM: its packages are the image's, matched as a scan's; nothing is pulled.
    if (!ref.sbom.empty()) {
        if (choices.platform_given)
            throw Fatal(ExitCode::bad_arguments, "--platform does not apply to sbom: (an SBOM lists one image's packages)");
        try {
            pipeline.list_from([listed = local::sbom_image_result(local::read_sbom(ref.sbom))](const ImageRecord& image) {
                auto result = listed;
                result.repository = image.repository.name;
                result.tag = image.tag;
                return result;
            });
        } catch (const sdk::Error& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        }
    }
    const bool local_input = layout || !ref.sbom.empty();
    oci::DistributionClient registry_reads(pipeline.auth());
    const oci::DistributionClient& reads = layout ? *layout : registry_reads;

    // A vendor plugin may need to authorise pulls (ECR, ACR): open one
    // session for its authorize(); discovery is not needed.
    std::unique_ptr<plugin::RegistrySession> session;
    auto probe = local_input ? sdk::Probe{} : probe_registry(pipeline.client(), options.url);
    auto identified = local_input ? plugin::Identified{}
                                  : plugin::identify_registry(plugins, pipeline.client(), probe, options.type);
    if (identified.plugin) {
        spdlog::info("Identified registry as: {}", identified.type);
        app::check_plugin_options(options.given_plugin_options, plugins, *identified.plugin, identified.type,
                                  !options.type.empty());
        try {
            session = std::make_unique<plugin::RegistrySession>(
                identified.plugin, pipeline.client(), pipeline.auth(),
                auth::session_config(options.url, identified.type, options.credentials, options.plugin_options));
        } catch (const sdk::Error& e) {
            spdlog::warn("Plugin {} could not open a session ({}); pulling with standard registry auth",
                         identified.plugin->id(), e.what());
        }
    }

    std::vector<ImageRecord> images(1);
    images[0].repository.name = ref.repository;
    images[0].tag = ref.tag;
    images[0].digest = ref.digest;
    if (choices.platform_given && ref.sbom.empty()) refuse_other_platform(reads, options, images[0], reference);
    std::ostringstream captured;
    app::ExitCode code;
    {
        std::optional<CaptureStandardOutput> capture;
        if (scratch) capture.emplace(captured);
        // -o -: the table goes to standard output after the run, coloured as
        // --color resolved it for standard output; a -o FILE never is.
        std::optional<report::StandardOutputStandIn> stand_in;
        if (scratch && choices.output == "-") stand_in.emplace(captured.rdbuf());
        code = pipeline.run(images, {});
    }
    // The one image a registry would not show us: an authentication
    // failure (exit 4), as for a registry run, not "some images failed".
    if (images[0].auth_refused)
        throw Fatal(ExitCode::auth_failed, "the registry refused access to " + reference + ": " +
                                               auth::credentials_hint(options.credentials));
    // Nothing of the platform asked for: the one image cannot be scanned.
    if (images[0].skipped && images[0].skip_reason.find("requested platform") != std::string::npos)
        throw Fatal(ExitCode::bad_arguments, reference + ": " + images[0].skip_reason + "; --platform is " +
                                                 options.platform);
    if (scratch) deliver(choices, options, *scratch, captured.str());
    return code;
}

}  // namespace regscan::engine
