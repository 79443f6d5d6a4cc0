## The OCI runtime spec's validation suite, burrow and runc side by side.
scripts/conformance.sh 2>/dev/null
