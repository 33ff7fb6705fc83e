// The access-log format our Nginx writes, shared by the Nginx generator and the fail2ban filters
// that must match it. Keep the two in step: tests run fail2ban-regex against lines in this format.
export const NGINX_LOG_FORMAT_NAME = 'stackwizard';

/** combined + timings + host; $remote_addr is the real client (the realip module rewrites it behind a proxy). */
export const NGINX_LOG_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
  'rt=$request_time urt="$upstream_response_time" host="$host"';

/** Status returned for limit_req / limit_conn rejections (logged as such in access.log, and with "limiting requests" in error.log). */
export const RATE_LIMIT_STATUS = 429;

/** Files in HOST.nginxLogs (host side) / CONTAINER.nginxLogs. */
export const NGINX_ACCESS_LOG = 'access.log';
export const NGINX_ERROR_LOG = 'error.log';
