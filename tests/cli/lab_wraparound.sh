# ustcp lab wraparound: 8 MiB through a sequence-number wrap over a lossy link.
source "$(dirname "$0")/lab.bash"
lab_scenario wraparound 1 '8388608 of 8388608 bytes received' 'snd_una passes 2\^32'
finish
