# ustcp lab fin-wait-2: an orphan leaves FIN-WAIT-2 after tcp_fin_timeout; a half-close stays.
source "$(dirname "$0")/lab.bash"
lab_scenario fin-wait-2 2 'orphan: FIN-WAIT-2 for 60\.0 s, then gone' 'orphan: FIN-WAIT-2 for 10\.0 s, then gone' \
  'FIN-WAIT-2 0 +0 +10\.0\.0\.1:[0-9]+ +10\.0\.0\.2:80 +timer:\(timewait,'
finish
