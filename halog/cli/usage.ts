/** The short usage halog prints with an argument error (on stderr) and before its help. */
export function usageText(message = ''): string {
  return `${message}Usage:
  halog [-h|--help] for long help
  halog [input_filters]* [modifiers]* [output_format] [file...] < log
    inp = [-e|-E] [-H] [-Q|-QS] [-rt|-RT <time>] [-ad <delay>] [-ac <count>]
          [-hs|-HS [min][:[max]]] [-tcn|-TCN <termcode>] [-time [min][:[max]]]
    mod = [-q] [-v] [-m <lines>] [-s <skipflds>] [-query]
    out = {-c|-u|-uc|-ue|-ua|-ut|-uao|-uto|-uba|-ubt|-hdr <block>:<field>|
           -cc|-gt|-pct|-st|-tc|-srv|-ic}

`;
}

export function helpText(): string {
  return `${usageText()}Input filters (all given filters must match; -v inverts the result):
 -H                  HTTP lines only (at least 4 timers; tcplog lines have 3)
 -e | -E             status 5xx or negative | any other status
 -rt | -RT <ms>      server response time Tr (4th timer) >= ms | < ms
 -Q | -QS            queued in the backend or server queue | in the server queue
 -tcn | -TCN <cc>    termination state starts | does not start with <cc>
 -hs | -HS <a[:b]>   status within | outside a..b (no ':' = exactly a)
 -time <a[:b]>       accept date (local time zone) between Unix times a and b
Modifiers:
 -v                  invert the input filters
 -q                  no warnings, no summary line on stderr
 -m <n>              stop after n output lines
 -s <n>              field offset of the client address is 5 + n (default 1, for
                     "Mmm dd hh:mm:ss host haproxy[pid]:"; 0 without a hostname,
                     -4 for lines without any syslog header)
 -query              keep the query string in -u* keys
Outputs (one at a time):
 -c                  number of matching lines
 -st | -tc | -cc     requests per status | termination code | cookie code
 -srv                per server: status classes, OK ratio, mean connect/response time
 -u                  per URL, sorted by URL; -uc -ue -ua -ut -uao -uto -uba -ubt sort
                     by count, errors, mean time, total time, mean/total OK time,
                     mean/total bytes
 -ic                 per client address, by request count
 -pct                TR, Tc, Tr and data time percentiles
 -gt                 timer distributions for graphs
 -hdr <b>:<f>        captured header field f of capture block b
 -ac <n> -ad <ms>    bursts of >= n accepts in one millisecond after >= ms of silence
Files: logs are read from the named files (plain or .gz) or from stdin.
Environment: HALOG_THREADS=<n> limits the worker threads (default: one per core).
`;
}
