// The process's standard descriptors, at start and at exit.
#pragma once

namespace regscan::app {

// Opens /dev/null on each of descriptors 0, 1 and 2 that is closed
// (`regscan ... >&-`). Otherwise the first file or socket the run opens takes
// that number and what is printed goes into it: the table into a registry
// connection, a log line into a report file, a password read from "stdin"
// out of a socket. Call first thing in main. False when /dev/null could not
// be opened for one: the run must not go on.
bool guard_standard_descriptors();

// Flushes standard output and returns the exit code to end with: `code`, or
// ExitCode::internal_error when what was printed there was lost (a full disk,
// an I/O error) and `code` had nothing worse to say; logged, with the reason
// when the final flush is what failed. A
// reader that stopped reading (`| head`: EPIPE) is no error: it chose to, and
// the run's files and state are whole.
int finish_standard_output(int code);

}  // namespace regscan::app
