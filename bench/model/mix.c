// SPDX-License-Identifier: MIT
/*
 * model/mix: proof that `vmtax model` predicts. A guest loop does a configured mix per
 * iteration (userspace MMIO exits, userspace HLT exits, in-kernel hypercalls, and a
 * fixed amount of compute); its native twin does the same compute. vmtax then profiles
 * its own VM the way `vmtax profile` profiles any VM (the KVM statistics' deltas over
 * the measured rounds through the one mapping of profile_sources.c), models that
 * profile with this run's unit costs (exits/mmio-write, exits/hlt, exits/vmcall, which
 * run before model/mix in a run), and records the prediction beside what it measured:
 * the fraction of guest time spent in virtualization, 1 - native / guest, and the
 * slowdown, guest / native - 1.
 */
#include <math.h>
#include <string.h>

#include "bench/exits/exits.h"
#include "bench/model/mix.h"
#include "harness/lib/model.h"
#include "harness/lib/profile_sources.h"
#include "harness/lib/util.h"

/* The target of the model (README "model/mix"): a prediction within this of the
 * measured slowdown, recorded, not enforced: a result is what was measured. */
#define MIX_TARGET_PCT	15

struct mix {
	const char *name;
	uint64_t mmio, hlt, vmcall, compute;
};

/* Three different balances: userspace exits only, in-kernel exits and halts, all. */
static const struct mix mixes[] = {
	{ "mmio", 2, 0, 0, 4000 },
	{ "hlt-vmcall", 0, 1, 4, 4000 },
	{ "mixed", 1, 1, 2, 8000 },
};

static bool mix_exit(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	/* No irqchip: every HLT comes to us and we re-enter at once (exits/hlt "none"). */
	return exits_scratch_mmio(v, run, ctx) || run->exit_reason == KVM_EXIT_HLT;
}

static volatile uint64_t mix_native_sink;

static uint64_t mix_native_loop(uint64_t n, void *arg)
{
	const struct mix_args *a = arg;
	uint64_t t0 = rdtsc_fenced(), x = 1;

	for (uint64_t i = 0; i < n; i++)
		x = mix_compute(x, a->compute);
	mix_native_sink = x;
	return rdtsc_fenced() - t0;
}

/* The VM's own profile: its KVM stat deltas over the measured rounds, divided by the
 * guest time of those rounds. Its halts went to userspace (no irqchip), which the
 * generic mapping (made for production VMs, which have one) cannot know. */
static void own_profile(const struct result *r, double seconds, struct profile *p)
{
	struct counts c = { 0 };
	const char *name;
	json_t *v;

	json_object_foreach(r->counters, name, v)
		if (json_is_number(v))
			counts_add(&c, name, json_number_value(v));
	profile_init(p);
	p->source = xstrdup("model-bench");
	p->seconds = seconds;
	p->vcpus = 1;
	profile_add_counts(p, &c, seconds, 1);
	counts_free(&c);
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->rates[i].kind, "exits/hlt"))
			json_object_set_new(p->rates[i].params, "wake", json_string("none"));
}

static void record_model(struct bench_ctx *ctx, struct result *r)
{
	json_int_t iters = json_integer_value(json_object_get(r->extra, "iterations"));
	json_t *out = json_object(), *rates = json_object(), *unknown = json_object();
	double guest_ticks = 0, seconds, measured_f, measured_s;
	struct results view;
	struct profile p;
	struct model m;
	bool missing = false;

	json_object_set_new(r->extra, "model", out);
	if (r->status != RESULT_OK || !r->has_native || r->stats.median <= 0 ||
	    r->native.median <= 0) {
		json_object_set_new(out, "note", json_string("nothing to model: the guest loop or "
							     "its native twin did not measure"));
		return;
	}
	measured_f = 1 - r->native.median / r->stats.median;
	measured_s = r->stats.median / r->native.median - 1;
	json_object_set_new(out, "measured_fraction", json_real(measured_f));
	json_object_set_new(out, "measured_slowdown", json_real(measured_s));
	if (!ctx->host->tsc_khz) {
		json_object_set_new(out, "note", json_string("no TSC rate: the KVM counts cannot "
							     "become rates per second"));
		return;
	}
	for (size_t i = 0; i < r->nsamples; i++)
		guest_ticks += r->samples[i] * (double)iters;
	seconds = guest_ticks / ((double)ctx->host->tsc_khz * 1e3);
	own_profile(r, seconds, &p);

	/* This run's results before this benchmark (each benchmark fills a results set of
	 * its own), with the host's TSC rate for cycles. */
	view = (struct results){ .items = ctx->earlier ? ctx->earlier->items : NULL,
				 .n = ctx->earlier ? ctx->earlier->n : 0,
				 .host = json_pack("{s:I}", "tsc_khz",
						   (json_int_t)ctx->host->tsc_khz) };
	model_compute(&p, &view, &m);
	for (size_t i = 0; i < m.n; i++) {
		const struct model_term *t = &m.terms[i];
		char *key = profile_rate_key(t->rate);

		json_object_set_new(rates, key, json_real(t->rate->per_s));
		if (!t->r && t->rate->per_s > 0) {
			json_object_set_new(unknown, key, json_string(t->how));
			/* Host interrupts and the like also land natively and are left out
			 * (listed); the mix's own kinds cannot be. */
			missing |= !strcmp(t->rate->kind, "exits/mmio-write") ||
				   !strcmp(t->rate->kind, "exits/hlt") ||
				   !strcmp(t->rate->kind, "exits/vmcall");
		}
		free(key);
	}
	json_object_set_new(out, "rates", rates);
	json_object_set_new(out, "unknown", unknown);
	if (missing) {
		json_object_set_new(out, "note", json_string(
			"a kind of the mix has no unit cost in this run (run the exits group "
			"with model/mix): no prediction"));
	} else if (m.fraction >= 1) {
		/* The unit costs times the rates exceed the time measured: the model failed
		 * outright, which is a finding, not something to leave out. */
		json_object_set_new(out, "predicted_fraction", json_real(m.fraction));
		json_object_set_new(out, "predicted_interval", json_pack("[f, f]", m.lo, m.hi));
		json_object_set_new(out, "within_target", json_false());
		json_object_set_new(out, "note", json_string(
			"the modelled costs add up to more than the measured time: this run's unit "
			"costs do not describe this mix (no slowdown predicted)"));
	} else {
		double predicted_s = m.fraction / (1 - m.fraction);
		double error = measured_s > 0 ? (predicted_s - measured_s) / measured_s * 100 : NAN;

		json_object_set_new(out, "predicted_fraction", json_real(m.fraction));
		json_object_set_new(out, "predicted_interval", json_pack("[f, f]", m.lo, m.hi));
		json_object_set_new(out, "predicted_slowdown", json_real(predicted_s));
		if (isfinite(error)) {
			json_object_set_new(out, "error_pct", json_real(error));
			json_object_set_new(out, "within_target", json_boolean(fabs(error) <=
									      MIX_TARGET_PCT));
		}
	}
	model_free(&m);
	json_decref(view.host);
	profile_free(&p);
}

static void run_mix(struct bench_ctx *ctx, const struct bench *b)
{
	bool amd = !strcmp(ctx->host->vendor, "AuthenticAMD") ||
		   !strcmp(ctx->host->vendor, "HygonGenuine");

	for (size_t i = 0; i < ARRAY_SIZE(mixes); i++) {
		const struct mix *m = &mixes[i];
		struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("model/mix"));
		/* Every exit of the mix is one VM exit: KVM's total proves the mix ran. */
		struct guest_check check = {
			.stat = "exits", .per_iter = m->mmio + m->hlt + m->vmcall,
			.exit_hook = mix_exit,
		};
		struct mix_args args = { .mmio = m->mmio, .hlt = m->hlt, .vmcall = m->vmcall,
					 .compute = m->compute, .amd = amd };
		struct result *r;

		*MAILBOX_AS(struct mix_args, cfg.arg) = args;
		r = exits_run_guest(ctx, b, &cfg, &check, false, mix_native_loop, &args);
		json_object_update_new(r->params,
				       json_pack("{s:s, s:I, s:I, s:I, s:I}", "mix", m->name,
						 "mmio", (json_int_t)m->mmio, "hlt", (json_int_t)m->hlt,
						 "vmcall", (json_int_t)m->vmcall,
						 "compute", (json_int_t)m->compute));
		if (r->status != RESULT_UNSUPPORTED)
			record_model(ctx, r);
	}
}

static const struct bench model_mix = {
	.id = "model/mix",
	.desc = "a guest loop doing a mix of exits and compute per iteration: the modelled vs the measured slowdown",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_mix,
};
BENCH_REGISTER(model_mix);
