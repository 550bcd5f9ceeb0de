// The service behind the API. (Minimal first version: answers empty lists and
// not_found so the HTTP side links; filled in by the model pieces.)
#include "serve/service.hpp"

namespace regscan::serve {
namespace {

class EmptyService final : public Service {
public:
    nlohmann::json list_connectors() override { return {{"connectors", nlohmann::json::array()}}; }
    nlohmann::json get_connector(const std::string& name) override { throw not_found("connector", name); }
    nlohmann::json create_connector(const nlohmann::json&) override {
        throw ServiceError(ServiceError::Kind::bad_request, "connectors are not supported yet");
    }
    nlohmann::json update_connector(const std::string& name, const nlohmann::json&) override {
        throw not_found("connector", name);
    }
    void remove_connector(const std::string& name) override { throw not_found("connector", name); }
    nlohmann::json import_now(const std::string& name) override { throw not_found("connector", name); }
    nlohmann::json list_imports(const std::string&, size_t) override {
        return {{"imports", nlohmann::json::array()}};
    }
    nlohmann::json get_import(int64_t id) override { throw not_found("import", std::to_string(id)); }
    std::vector<ReportFile> import_reports(int64_t id) override { throw not_found("import", std::to_string(id)); }
    nlohmann::json list_images(const ImageQuery&) override {
        return {{"total", 0}, {"images", nlohmann::json::array()}};
    }
    nlohmann::json get_image(int64_t id) override { throw not_found("image", std::to_string(id)); }
    std::string metrics_text() override { return ""; }
    void start() override {}
    void stop(std::chrono::seconds) override {}

private:
    static ServiceError not_found(const std::string& what, const std::string& name) {
        return ServiceError(ServiceError::Kind::not_found, "no " + what + " " + name);
    }
};

}  // namespace

std::unique_ptr<Service> make_service(const ServiceOptions&, const plugin::PluginSet&) {
    return std::make_unique<EmptyService>();
}

}  // namespace regscan::serve
