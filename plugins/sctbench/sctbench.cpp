// Registers the SCTBench-style C programs as one test-function scenario
// whose variant names the program and whether it is the buggy one.

#include <strain/plugin.hpp>

#include <string_view>

#include "sctbench.h"

STRAIN_TEST(sctbench, "account_ok", "account_bad", "lazy_init_ok", "lazy_init_bad",
            "lost_wakeup_ok", "lost_wakeup_bad", "publish_ok", "publish_bad", "twostage_ok",
            "twostage_bad") {
  const std::string_view v = ctx.str_param("variant");
  const int bad = v.ends_with("_bad") ? 1 : 0;
  if (v.starts_with("account")) sct_account(bad);
  if (v.starts_with("lazy_init")) sct_lazy_init(bad);
  if (v.starts_with("lost_wakeup")) sct_lost_wakeup(bad);
  if (v.starts_with("publish")) sct_publish(bad);
  if (v.starts_with("twostage")) sct_twostage(bad);
}
