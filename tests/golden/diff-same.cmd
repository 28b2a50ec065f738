diff diff/people-old.kkp -- ../../policies/knockknock.kkp diff/people-old.kkp
