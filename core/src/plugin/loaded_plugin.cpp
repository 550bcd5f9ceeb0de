#include "plugin/loaded_plugin.hpp"

// Boost.DLL with std::filesystem needs <vector> before library_info.hpp.
#include <vector>

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"

namespace regscan::plugin {
namespace fs = std::filesystem;

LoadedPlugin::LoadedPlugin(std::shared_ptr<boost::dll::shared_library> library, const regscan_plugin* descriptor,
                           fs::path path)
    : library_(std::move(library)), descriptor_(descriptor), path_(std::move(path)) {}

LoadedPlugin::~LoadedPlugin() = default;

std::string LoadedPlugin::sdk_version() const {
    return std::to_string(descriptor_->abi_major) + "." + std::to_string(descriptor_->abi_minor);
}

std::vector<std::string> LoadedPlugin::registry_types() const {
    std::vector<std::string> types;
    if (!registry_ || !registry_->types) return types;
    std::stringstream list(registry_->types);
    for (std::string type; std::getline(list, type, ',');)
        if (auto clean = std::string(sdk::trim(type)); !clean.empty()) types.push_back(clean);
    return types;
}

std::shared_ptr<LoadedPlugin> PluginSet::for_type(const std::string& type) const {
    for (const auto& plugin : plugins)
        for (const auto& t : plugin->registry_types())
            if (sdk::iequals(t, type)) return plugin;
    return nullptr;
}

std::set<std::string> PluginSet::secret_option_names() const {
    std::set<std::string> names;
    for (const auto& plugin : plugins)
        for (const auto& option : plugin->options())
            if (option.secret) names.insert(option.name);
    return names;
}

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& cli_dirs) {
    std::vector<fs::path> dirs(cli_dirs.begin(), cli_dirs.end());
    if (const char* env = std::getenv("REGSCAN_PLUGIN_PATH")) {
        std::stringstream list(env);
        for (std::string dir; std::getline(list, dir, ':');)
            if (!dir.empty()) dirs.emplace_back(dir);
    }
    std::error_code ec;
    fs::path exe = boost::dll::program_location(ec);
    if (!ec) dirs.push_back(exe.parent_path().parent_path() / "lib" / "regscan" / "plugins");
    return dirs;
}

class Loader {
public:
    PluginSet result;

    void load_dir(const fs::path& dir) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) return;  // absent directories are normal
        struct stat info {};
        if (::stat(dir.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) && !(info.st_mode & S_ISVTX)) {
            refuse(dir, "plugin directory is world-writable; refusing to load code from it");
            return;
        }
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) load_file(file);
    }

private:
    void refuse(const fs::path& path, std::string reason) { result.refused.push_back({path, std::move(reason)}); }

    void load_file(const fs::path& file) {
        // Read the entry-point section before any of the file's code runs.
        try {
            boost::dll::library_info info(file);
            auto symbols = info.symbols(REGSCAN_ENTRY_SECTION);
            if (std::find(symbols.begin(), symbols.end(), REGSCAN_ENTRY_NAME) == symbols.end())
                return refuse(file, "not a regscan plugin: no " REGSCAN_ENTRY_NAME " entry point");
        } catch (const std::exception& e) {
            return refuse(file, std::string("not a loadable shared library: ") + e.what());
        }
        std::shared_ptr<boost::dll::shared_library> library;
        const regscan_plugin* descriptor = nullptr;
        try {
            library = std::make_shared<boost::dll::shared_library>(
                file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
            auto entry = library->get_alias<const regscan_plugin*()>(REGSCAN_ENTRY_NAME);
            descriptor = entry();
        } catch (const std::exception& e) {
            return refuse(file, std::string("cannot load: ") + e.what());
        }
        if (auto problem = check(descriptor); !problem.empty()) return refuse(file, problem);

        auto plugin = std::make_shared<LoadedPlugin>(library, descriptor, file);
        auto covers = [&](size_t end) { return descriptor->struct_size >= end; };
        if (covers(offsetof(regscan_plugin, registry) + sizeof(void*))) plugin->registry_ = descriptor->registry;
        if (covers(offsetof(regscan_plugin, filter) + sizeof(void*))) plugin->filter_ = descriptor->filter;
        if (covers(offsetof(regscan_plugin, reporter) + sizeof(void*))) plugin->reporter_ = descriptor->reporter;
        if (auto problem = check_tables(*plugin); !problem.empty()) return refuse(file, problem);
        if (auto problem = read_options(*plugin); !problem.empty()) return refuse(file, problem);

        for (const auto& loaded : result.plugins)
            if (loaded->id() == plugin->id())
                return refuse(file, "duplicate plugin id '" + plugin->id() + "' (already loaded from " +
                                        loaded->path().string() + ")");
        result.plugins.push_back(std::move(plugin));
    }

    static std::string read_options(LoadedPlugin& p) {
        if (!p.registry() || !p.registry()->options) return {};
        auto list = nlohmann::json::parse(p.registry()->options, nullptr, false);
        if (!list.is_array()) return "registry options are not a JSON array";
        for (const auto& item : list) {
            if (!item.is_object() || !item.contains("name") || !item["name"].is_string())
                return "a registry option has no name";
            // Wrong types are the plugin's error (a refusal naming it), not an internal one.
            for (const char* key : {"help", "env"})
                if (item.contains(key) && !item[key].is_string() && !item[key].is_null())
                    return "registry option '" + item["name"].get<std::string>() + "' has a \"" + key +
                           "\" that is not a string";
            auto text = [&](const char* key) {
                return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : std::string{};
            };
            if (item.contains("secret") && !item["secret"].is_boolean() && !item["secret"].is_null())
                return "registry option '" + item["name"].get<std::string>() + "' has a \"secret\" that is not "
                       "true or false";
            PluginOption option{item["name"].get<std::string>(), text("help"), text("env"),
                                item.contains("secret") && item["secret"].is_boolean() && item["secret"].get<bool>()};
            bool valid = !option.name.empty() && std::all_of(option.name.begin(), option.name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
            });
            if (!valid) return "registry option name '" + option.name + "' is not of letters, digits and '-'";
            p.options_.push_back(std::move(option));
        }
        return {};
    }

    static std::string check(const regscan_plugin* d) {
        if (!d) return "entry point returned no descriptor";
        if (d->struct_size < offsetof(regscan_plugin, registry))
            return "descriptor is too short (" + std::to_string(d->struct_size) + " bytes)";
        std::string built = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
        std::string ours = std::to_string(REGSCAN_ABI_MAJOR) + "." + std::to_string(REGSCAN_ABI_MINOR);
        if (d->abi_major != REGSCAN_ABI_MAJOR)
            return "built for SDK " + built + "; this regscan speaks SDK " + ours + " (major versions differ)";
        if (d->abi_minor > REGSCAN_ABI_MINOR)
            return "built for SDK " + built + ", newer than this regscan's SDK " + ours + "; upgrade regscan";
        if (!d->id || !*d->id) return "descriptor has no id";
        return {};
    }

    static std::string check_tables(const LoadedPlugin& p) {
        if (!p.registry() && !p.filter() && !p.reporter()) return "plugin offers no capability";
        if (const auto* r = p.registry()) {
            if (r->struct_size < offsetof(regscan_registry_api, close) + sizeof(void*))
                return "registry table is too short";
            if (!r->types || !*r->types) return "registry table names no registry type";
            if (!r->identify || !r->open || !r->list_repositories || !r->list_tags || !r->close)
                return "registry table lacks a required function";
        }
        if (const auto* f = p.filter()) {
            if (f->struct_size < offsetof(regscan_filter_api, close) + sizeof(void*) || !f->name || !f->open ||
                !f->decide || !f->close)
                return "filter table is incomplete";
        }
        if (const auto* r = p.reporter()) {
            if (r->struct_size < offsetof(regscan_reporter_api, close) + sizeof(void*) || !r->format || !r->begin ||
                !r->image || !r->end || !r->close)
                return "reporter table is incomplete";
        }
        return {};
    }
};

PluginSet load_plugins(const std::vector<fs::path>& dirs) {
    Loader loader;
    loader.result.searched = dirs;
    std::set<fs::path> seen;
    for (const auto& dir : dirs) {
        std::error_code ec;
        auto canonical = fs::weakly_canonical(dir, ec);
        if (!seen.insert(ec ? dir : canonical).second) continue;
        loader.load_dir(dir);
    }
    return std::move(loader.result);
}

}  // namespace regscan::plugin
