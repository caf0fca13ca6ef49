-- Churn by month, in total and by segment (long format: segment_kind / segment_value):
-- accounts active at the start, new, reactivated and churned; logo ("global") churn; gross
-- and net MRR churn; renewal ("local") churn of the periods ending in the month. Formulas
-- in DECISIONS.md. A month whose movements are not all known (mart_mrr_monthly's
-- `is_history_complete`) has every figure null: none is shown, none enters a rate.
{%- set segments = [
    ('all', "'all'"),
    ('tariff', 'segment_tariff'),
    ('promo', "case when segment_is_promo then 'promo' else 'non_promo' end"),
    ('manager', 'cast(segment_manager_id as ' ~ dbt.type_string() ~ ')'),
] %}
with

mrr_months as (
    select * from {{ ref('mart_mrr_monthly') }}
),

renewals as (
    select * from {{ ref('int_period_renewals') }}
),

month_history as (
    select
        month_start,
        min(case when is_history_complete then 1 else 0 end) = 1 as is_history_complete
    from mrr_months
    group by month_start
),

with_previous as (
    select
        mrr_months.*,
        lag(mrr_months.tariff) over (
            partition by mrr_months.account_id order by mrr_months.month_start
        ) as previous_tariff,
        lag(mrr_months.is_promo) over (
            partition by mrr_months.account_id order by mrr_months.month_start
        ) as previous_is_promo
    from mrr_months
),

movement_facts as (
    -- An account's segment is the one it had at the month's start; a new or returning
    -- account's is the one it joined with.
    select
        month_start,
        is_complete_month,
        case when movement in ('new', 'reactivation') then tariff else previous_tariff end
            as segment_tariff,
        case when movement in ('new', 'reactivation') then is_promo else previous_is_promo end
            as segment_is_promo,
        acquiring_manager_id as segment_manager_id,
        case when previous_mrr > 0 then 1 else 0 end as active_at_start,
        case when mrr > 0 then 1 else 0 end as active_at_end,
        case when movement = 'new' then 1 else 0 end as new_accounts,
        case when movement = 'reactivation' then 1 else 0 end as reactivated_accounts,
        case when movement = 'churn' then 1 else 0 end as churned_accounts,
        previous_mrr as mrr_at_start,
        mrr as mrr_at_end,
        case when movement = 'new' then mrr else 0 end as new_mrr,
        case when movement = 'expansion' then mrr_change else 0 end as expansion_mrr,
        case when movement = 'contraction' then -mrr_change else 0 end as contraction_mrr,
        case when movement = 'churn' then previous_mrr else 0 end as churned_mrr,
        case when movement = 'reactivation' then mrr else 0 end as reactivation_mrr,
        0 as renewals_due,
        0 as renewals_lost
    from with_previous
),

renewal_facts as (
    -- Periods whose end (plus grace) has passed, in the month they ended.
    select
        {{ month_of('renewals.period_end') }} as month_start,
        cast(null as boolean) as is_complete_month,
        renewals.tariff as segment_tariff,
        renewals.is_promo as segment_is_promo,
        first_periods.manager_id as segment_manager_id,
        0 as active_at_start,
        0 as active_at_end,
        0 as new_accounts,
        0 as reactivated_accounts,
        0 as churned_accounts,
        0 as mrr_at_start,
        0 as mrr_at_end,
        0 as new_mrr,
        0 as expansion_mrr,
        0 as contraction_mrr,
        0 as churned_mrr,
        0 as reactivation_mrr,
        1 as renewals_due,
        case when renewals.is_renewed then 0 else 1 end as renewals_lost
    from renewals
    left join renewals as first_periods
        on renewals.account_id = first_periods.account_id and first_periods.period_number = 1
    where
        renewals.is_decided
        and {{ month_of('renewals.period_end') }} <= (select max(mrr_months.month_start) from mrr_months)
),

facts as (
    select * from movement_facts
    union all
    select * from renewal_facts
),

segmented as (
    {%- for kind, value in segments %}
        select
            facts.*,
            '{{ kind }}' as segment_kind,
            {{ value }} as segment_value
        from facts
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

aggregated as (
    select
        month_start,
        segment_kind,
        segment_value,
        max(case when is_complete_month then 1 else 0 end) = 1 as is_complete_month,
        sum(active_at_start) as active_at_start,
        sum(active_at_end) as active_at_end,
        sum(new_accounts) as new_accounts,
        sum(reactivated_accounts) as reactivated_accounts,
        sum(churned_accounts) as churned_accounts,
        sum(mrr_at_start) as mrr_at_start,
        sum(mrr_at_end) as mrr_at_end,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(renewals_due) as renewals_due,
        sum(renewals_lost) as renewals_lost
    from segmented
    where segment_value is not null
    group by month_start, segment_kind, segment_value
),

final as (
    select
        aggregated.*,
        coalesce(month_history.is_history_complete, false) as is_history_complete
    from aggregated
    left join month_history on aggregated.month_start = month_history.month_start
)

{%- set counts = [
    'active_at_start', 'active_at_end', 'new_accounts', 'reactivated_accounts', 'churned_accounts',
] %}
{%- set amounts = [
    'mrr_at_start', 'mrr_at_end', 'new_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr',
    'reactivation_mrr',
] %}

select
    month_start,
    cast(segment_kind as {{ dbt.type_string() }}) as segment_kind,
    cast(segment_value as {{ dbt.type_string() }}) as segment_value,
    is_complete_month,
    is_history_complete,
    {%- for column in counts %}
        {{ as_count('case when is_history_complete then ' ~ column ~ ' end') }} as {{ column }},
    {%- endfor %}
    {%- for column in amounts %}
        {{ as_money('case when is_history_complete then ' ~ column ~ ' end') }} as {{ column }},
    {%- endfor %}
    case when is_history_complete then {{ as_double(safe_divide('churned_accounts', 'active_at_start')) }} end
        as logo_churn_rate,
    case when is_history_complete then {{ as_double(safe_divide('churned_mrr + contraction_mrr', 'mrr_at_start')) }} end
        as gross_mrr_churn_rate,
    case
        when is_history_complete
            then {{ as_double(safe_divide(
                'churned_mrr + contraction_mrr - expansion_mrr - reactivation_mrr', 'mrr_at_start'
            )) }}
    end as net_mrr_churn_rate,
    {{ as_count('case when is_history_complete then renewals_due end') }} as renewals_due,
    {{ as_count('case when is_history_complete then renewals_lost end') }} as renewals_lost,
    case when is_history_complete then {{ as_double(safe_divide('renewals_lost', 'renewals_due')) }} end
        as renewal_churn_rate
from final
