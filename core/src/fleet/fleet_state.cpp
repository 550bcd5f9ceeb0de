#include "fleet/fleet_state.hpp"

#include "app/exit_codes.hpp"

namespace regscan::fleet {

FleetState::FleetState(const std::string& location, state::QueueOptions options) {
    try {
        store_ = std::make_unique<state::StateStore>(location);
        queue_ = std::make_unique<state::WorkQueue>(store_->db(), options);
    } catch (const std::exception& e) {
        throw app::Fatal(app::ExitCode::bad_arguments, std::string("cannot open the state: ") + e.what());
    }
}

}  // namespace regscan::fleet
