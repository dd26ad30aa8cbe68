#!/bin/sh
# A stand-in for a model in `make demo`, for the command backend (prompt on stdin, answer on
# stdout): the first answer forgets the motor's seal-in; once the failing test has been fed
# back (the prompt then asks for a revision), it answers with the seal-in.
if grep -q "Revise the previous attempt"; then
    printf '    Motor := StopNC AND OverloadOK AND (Start OR Motor);\nEND_FUNCTION_BLOCK\n'
else
    printf '    Motor := StopNC AND OverloadOK AND Start;\nEND_FUNCTION_BLOCK\n'
fi
