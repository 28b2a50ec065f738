compile --emit c-header ../../policies/knockknock.kkp
