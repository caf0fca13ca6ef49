{#
    Average check = net revenue ÷ sales count (metrics.md's "average order", not ARPA;
    DECISIONS.md, "Revenue, refunds, average check"): a fully refunded payment is no sale and
    adds 0 net. Null without sales. One definition for every window it is read over: the
    day (`mart_sales_daily.avg_check_daily`), the month to date (`mart_board.avg_check`)
    and the new sales of the 90 days before a forecast month (the funnel forecast's check).
#}
{% macro average_check(net_revenue, sales_count) -%}
    {{ safe_divide(net_revenue, sales_count) }}
{%- endmacro %}
