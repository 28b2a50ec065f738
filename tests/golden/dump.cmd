compile --revision r1 -o $OUT/ex.kkpt ../../policies/example-org.kkp
dump $OUT/ex.kkpt
dump --format json $OUT/ex.kkpt
dump --format yaml $OUT/ex.kkpt
