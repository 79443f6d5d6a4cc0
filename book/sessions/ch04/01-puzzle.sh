#!ch04_host
## The puzzle: a new network namespace cannot even reach itself.
ch01-unshare --net -- ping -c1 -W1 127.0.0.1; echo "exit $?"
ch04-veth --net none -- ping -c1 -W1 127.0.0.1; echo "exit $?"
ch04-veth -- ping -c1 -W1 10.99.0.1; echo "exit $?"
ch04-veth -- ping -c1 -W1 192.0.2.1; echo "exit $?"
