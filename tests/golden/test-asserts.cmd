test test/pass.kkp
test test/asserts.kkp
test --coverage test/coverage.kkp
test --coverage ../../policies/example-org.kkp
test
test --junit
