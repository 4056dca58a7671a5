# Cloumer's developer entry points. Every target installs what it needs first
# (scripts/setup.sh is idempotent).
.PHONY: setup run test bench app

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

app: setup
	bash scripts/build-app.sh

bench: setup
	bash bench/run.sh
