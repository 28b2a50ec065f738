matrix --format html --roles ../../policies/example-org.kkp
