pd-top < /dev/null
pd-top -f json < /dev/null
