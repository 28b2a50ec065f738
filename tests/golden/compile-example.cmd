compile -o $OUT/ex.kkpt ../../policies/example-org.kkp
