#pragma once
// The console's live progress line: what a running case has done, fitted
// to the terminal's width so that it is redrawn in place instead of
// wrapping onto a new row at every redraw.

#include <cstddef>
#include <string>

#include "model/result.hpp"

namespace strain::report {

//! "[k/N] id  trials/planned trials  rate/s  elapsed  eta E  [failures]",
//! at most `columns` - 1 columns wide (0: unbounded). The rate and elapsed
//! time give way first, then the head of the id ("..." and its tail, which
//! tells matrix points apart), then the end of the line. The ETA is the
//! case's: the sooner of its budget's end and its planned trials at the
//! current rate.
std::string live_line(const model::CaseProgress& p, std::size_t k, std::size_t n,
                      std::size_t columns);

//! Columns `text` takes on a terminal: its bytes that start a UTF-8
//! character (wide characters count as one; case ids rarely hold any).
std::size_t display_width(const std::string& text);

}  // namespace strain::report
