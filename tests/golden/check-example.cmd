check ../../policies/example-org.kkp
