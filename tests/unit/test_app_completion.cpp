#include <doctest/doctest.h>

#include <stdexcept>

#include <boost/program_options.hpp>

#include "app/completion.hpp"

using namespace regscan;
namespace po = boost::program_options;

TEST_SUITE_BEGIN("app");

TEST_CASE("app::completion_script lists each command's long options and quotes their descriptions") {
    po::options_description options("Test");
    options.add_options()("help,h", "show this help")("color", po::value<std::string>(), "it's coloured; or not")(
        "strict", po::bool_switch(), "be [very] strict")("output,o", po::value<std::string>(), "the file (or -)")(
        "resolve", po::value<std::vector<std::string>>()->composing(), "HOST:PORT:ADDRESS: connect there");
    const std::vector<app::CompletionCommand> commands = {{"registry", &options}, {"db", nullptr}};

    auto bash = app::completion_script("bash", commands);
    CHECK(bash.find("'registry db --help --version'") != std::string::npos);
    CHECK(bash.find("registry) options='--help -h --color --strict --output -o --resolve' ;;") != std::string::npos);
    CHECK(bash.find("db) options='--help' ;;") != std::string::npos);
    CHECK(bash.find("--color) COMPREPLY=($(compgen -W 'auto always never'") != std::string::npos);
    CHECK(bash.find("complete -o default -F _regscan regscan\n") != std::string::npos);
    CHECK(bash.find("COMPREPLY=($(compgen -W 'bash zsh fish' -- \"$cur\"))") != std::string::npos);

    auto zsh = app::completion_script("zsh", commands);
    CHECK(zsh.find("'--color=[it'\\''s coloured]:value:(auto always never)'") != std::string::npos);
    CHECK(zsh.find("'--strict[be (very) strict]'") != std::string::npos);
    CHECK(zsh.find("'(-h --help)-h[show this help]' \\\n") != std::string::npos);
    CHECK(zsh.find("'(-o --output)-o+[the file]:value:_files' \\\n") != std::string::npos);
    CHECK(zsh.find("'(-o --output)--output=[the file]:value:_files' \\\n") != std::string::npos);
    CHECK(zsh.find("'*--resolve=[HOST:PORT:ADDRESS]:value:_files'") != std::string::npos);
    // Autoloaded from $fpath the file is _regscan's body: it completes at once.
    CHECK(zsh.rfind("#compdef regscan\n", 0) == 0);
    CHECK(zsh.find("if [[ \"$funcstack[1]\" == _regscan ]]; then\n    _regscan \"$@\"\nelse\n    compdef _regscan regscan\nfi\n") !=
          std::string::npos);

    auto fish = app::completion_script("fish", commands);
    CHECK(fish.find("-l color -d 'it\\'s coloured' -x -a 'auto always never'") != std::string::npos);
    CHECK(fish.find("-l strict -d 'be [very] strict'\n") != std::string::npos);
    CHECK(fish.find("-s h -l help -d 'show this help'\n") != std::string::npos);
    CHECK(fish.find("-s o -l output -d 'the file' -r\n") != std::string::npos);

    CHECK_THROWS_AS(app::completion_script("tcsh", commands), std::invalid_argument);
}

TEST_SUITE_END();
