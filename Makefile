# stforge: `make demo` builds and runs the checker on the bundled example; `make test` runs
# every check CI runs. Both first install what the machine lacks (scripts/setup.sh).

CARGO ?= cargo
STFORGE := $(or $(CARGO_TARGET_DIR),target)/release/stforge

.PHONY: setup build demo test lint bench

setup:
	./scripts/setup.sh

build: setup
	$(CARGO) build --release

demo: build
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

test: lint
	$(CARGO) test --release

bench: setup
	$(CARGO) bench --bench parse
	$(CARGO) bench --bench check
	$(CARGO) bench --bench sim
	$(CARGO) bench --bench import
