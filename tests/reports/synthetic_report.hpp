// A deterministic, realistic-looking ReportData (one day of a DeepSeek-V3-sized fleet from 12:00)
// for the report writer tests; numbers are shaped like the published day, not simulated.
#pragma once

#include "reports/report_data.hpp"

namespace fleetsim::test {

// interval_min: timeline sampling step; a day at 5 min gives 288 rows.
ReportData synthetic_report(int interval_min = 5);

}  // namespace fleetsim::test
