// SPDX-License-Identifier: MIT
// The read loop: records to the map timeline or to the consumer.
#include "dispatch.h"

enum pd_status pd_dispatch(struct pd_perf *r, struct pd_maps *maps,
		const struct pd_dispatch_ops *ops, void *arg) {
	struct pd_record rec;
	struct pd_sample s;
	enum pd_status st;
	uint64_t n = 0;
	while ((st = pd_perf_next(r, &rec)) == PD_OK) {
		if (ops->progress && (++n & 255) == 0) {
			ops->progress(arg, r);
		}
		switch (rec.type) {
		case PD_REC_SAMPLE:
			st = pd_perf_parse_sample(r, &rec, &s);
			if (st == PD_OK && !s.read) {
				ops->sample(arg, r, &s);
			}
			// Counter values: a sample for each that moved.
			for (uint32_t k = 0; st == PD_OK && s.read && k < s.nread;
					k++) {
				struct pd_sample v;
				if (pd_perf_read_sample(r, &s, k, &v)) {
					ops->sample(arg, r, &v);
				}
			}
			break;
		case PD_REC_LOST:
		case PD_REC_LOST_SAMPLES:
			if (ops->lost) {
				ops->lost(arg, &rec);
			}
			break;
		default:
			if (!pd_maps_apply(maps, &rec)) {
				pd_perf_record_error(r, &rec, "record of type %u is "
					"too short (%u bytes)", rec.type, rec.size);
				st = PD_EDATA;
			} else if (ops->record) {
				ops->record(arg, r, &rec);
			}
		}
		if (st != PD_OK) {
			return st;
		}
	}
	return st == PD_FOUND ? PD_OK : st;
}
