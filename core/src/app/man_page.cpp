#include "app/man_page.hpp"

#include <sstream>

#include <boost/program_options.hpp>

namespace regscan::app {
namespace {

namespace po = boost::program_options;

// Text as roff reads it literally: backslashes escaped, and a line that
// would start with a control character ('.' or ''') made plain.
std::string roff(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n') out += c;
        line_start = c == '\n';
    }
    return out;
}

void options_section(std::ostringstream& out, const std::string& command, const po::options_description& options) {
    out << ".SH \"" << roff("OPTIONS OF regscan " + command) << "\"\n";
    for (const auto& option : options.options()) {
        if (option->long_name().empty()) continue;
        out << ".TP\n\\fB" << roff("--" + option->long_name()) << "\\fR";
        if (option->semantic()->max_tokens() > 0) out << " \\fI" << roff(option->semantic()->name()) << "\\fR";
        out << "\n" << roff(option->description()) << "\n";
    }
}

}  // namespace

std::string man_page(const std::string& version, const std::string& usage,
                     const std::vector<CompletionCommand>& commands) {
    std::ostringstream out;
    out << ".TH REGSCAN 1 \"\" \"regscan " << roff(version) << "\" \"User Commands\"\n"
        << ".SH NAME\nregscan \\- scan whole container registries for vulnerable images\n"
        << ".SH SYNOPSIS\n\\fBregscan\\fR \\fIcommand\\fR [\\fIoptions\\fR]\n"
        << ".SH DESCRIPTION\n.nf\n" << roff(usage) << ".fi\n";
    for (const auto& [name, options] : commands)
        if (options) options_section(out, name, *options);
    out << ".SH \"SEE ALSO\"\nThe README, docs/cli.md, docs/limits.md and docs/report-schema.md of regscan; "
           "\\fBregscan serve \\-\\-help\\fR, \\fBregscan worker \\-\\-help\\fR, \\fBregscan db \\-\\-help\\fR, "
           "\\fBregscan state \\-\\-help\\fR.\n";
    return out.str();
}

}  // namespace regscan::app
