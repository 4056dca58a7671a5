# Cloumer's developer entry points. Every target installs what it needs first
# (scripts/setup.sh is idempotent).
.PHONY: setup run test bench app aws-deploy

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

# CLOUMER on AWS (deploy/aws/README.md): build the three Lambdas with cargo-lambda, then
# create or update the stack (asks for the stack name, region and parameters once), then
# upload the web site (web/dist + config.json) to the stack's site bucket.
aws-deploy:
	bash scripts/aws-build.sh
	cd deploy/aws && PATH="$(CURDIR)/target/aws-venv/bin:$$PATH" SAM_CLI_TELEMETRY=0 sam deploy --guided
	bash scripts/aws-site.sh
