{#- The readout: each variant of each experiment against its control, on every experiment
    metric (macro experiment_metrics). From each variant's exact sums of the per-person values
    (fct_experiment_person_metrics), in SQL:
    - proportion: two-proportion z-test (pooled standard error for the p-value; the interval
      uses the unpooled one);
    - mean: Welch's t-test (Welch-Satterthwaite degrees of freedom; macros
      student_t_two_sided_p_value and student_t_quantile);
    - ratio (per session): the ratio of the sums, its variance by the delta method, z-test.
    The interval is at 1 - var experiment_alpha (two-sided), for the absolute lift and, by the
    delta method, for the relative lift. CUPED: each value adjusted by theta x (its
    pre-exposure value - the experiment's mean of it), theta = their pooled covariance over
    the pre-exposure variance across the experiment's variants (a ratio's values and
    pre-exposure values linearized first, as the delta method does); the adjusted lift, its
    interval and p-value, and the variance it removed. A result of an experiment with a
    sample ratio mismatch (rpt_experiment_sample_ratios) is not trustworthy. -#}
{%- set metric_roles = [] -%}
{%- for experiment in experiment_declarations() -%}
    {%- for metric in [experiment.primary_metric] + experiment.guardrail_metrics -%}
        {%- do metric_roles.append({
            'experiment_key': experiment.key,
            'metric_name': metric,
            'metric_role': 'primary' if loop.first else 'guardrail',
        }) -%}
    {%- endfor -%}
{%- endfor %}
with

person_metrics as (
    select
        experiment_key,
        variant,
        metric_name,
        metric_kind,
        metric_value,
        metric_denominator,
        pre_metric_value,
        pre_metric_denominator
    from {{ ref('fct_experiment_person_metrics') }}
),

variants as (
    select
        experiment_variant_id,
        experiment_key,
        variant,
        is_control
    from {{ ref('dim_experiment_variants') }}
),

-- the normal quantile of the interval: 1.96 at experiment_alpha 0.05
confidence as (
    select {{ normal_quantile(1 - var('experiment_alpha') / 2) | indent(4) }} as z
),

sample_ratios as (
    select distinct
        experiment_key,
        srm_p_value,
        has_srm
    from {{ ref('rpt_experiment_sample_ratios') }}
),

metric_roles as (
    {%- if metric_roles %}
        {%- for role in metric_roles %}
            select
                {{ text_literal(role.experiment_key) }} as experiment_key,
                {{ text_literal(role.metric_name) }} as metric_name,
                {{ text_literal(role.metric_role) }} as metric_role
            {%- if not loop.last %}
                union all
            {%- endif -%}
        {%- endfor %}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as experiment_key,
            cast(null as {{ dbt.type_string() }}) as metric_name,
            cast(null as {{ dbt.type_string() }}) as metric_role
        where 1 = 0
    {%- endif %}
),

-- y = metric_value, d = metric_denominator, x = pre_metric_value, m = pre_metric_denominator
sums as (
    select
        experiment_key,
        variant,
        metric_name,
        metric_kind,
        count(*) as n_persons,
        {{ exact_sum('metric_value') }} as sum_y,
        {{ exact_sum('metric_value * metric_value') }} as sum_yy,
        {{ exact_sum('metric_denominator') }} as sum_d,
        {{ exact_sum('metric_denominator * metric_denominator') }} as sum_dd,
        {{ exact_sum('metric_value * metric_denominator') }} as sum_yd,
        {{ exact_sum('pre_metric_value') }} as sum_x,
        {{ exact_sum('pre_metric_value * pre_metric_value') }} as sum_xx,
        {{ exact_sum('pre_metric_value * metric_value') }} as sum_xy,
        {{ exact_sum('pre_metric_denominator') }} as sum_m
    from person_metrics
    group by experiment_key, variant, metric_name, metric_kind
),

-- CUPED adjusts one value per person by one covariate: for a proportion or a mean, the
-- value and its pre-exposure value; for a ratio, both linearized around the variant's ratio,
-- u = (y - ratio x d) / mean d and v = (x - pre-exposure ratio x m) / mean m (the variance
-- of u over n is the delta method's)
ratio_arms as (
    select
        experiment_key,
        variant,
        metric_name,
        sum_y / nullif(sum_d, 0) as ratio,
        sum_x / nullif(sum_m, 0) as pre_ratio,
        sum_d / n_persons as mean_d,
        sum_m / n_persons as mean_m
    from sums
    where metric_kind = 'ratio'
),

linearized as (
    select
        person_metrics.experiment_key,
        person_metrics.variant,
        person_metrics.metric_name,
        (person_metrics.metric_value - ratio_arms.ratio * person_metrics.metric_denominator)
        / nullif(ratio_arms.mean_d, 0) as u,
        (
            person_metrics.pre_metric_value
            - ratio_arms.pre_ratio * person_metrics.pre_metric_denominator
        ) / nullif(ratio_arms.mean_m, 0) as v
    from person_metrics
    inner join ratio_arms
        on
            person_metrics.experiment_key = ratio_arms.experiment_key
            and person_metrics.variant = ratio_arms.variant
            and person_metrics.metric_name = ratio_arms.metric_name
),

linearized_sums as (
    select
        experiment_key,
        variant,
        metric_name,
        {{ exact_sum('u') }} as sum_u,
        {{ exact_sum('u * u') }} as sum_uu,
        {{ exact_sum('v') }} as sum_v,
        {{ exact_sum('v * v') }} as sum_vv,
        {{ exact_sum('u * v') }} as sum_uv
    from linearized
    group by experiment_key, variant, metric_name
),

-- the sums, with the value and covariate CUPED uses (sum_u ... sum_uv)
covariates as (
    select
        sums.*,
        {%- for column, ratio_column in [
            ('sum_y', 'sum_u'), ('sum_yy', 'sum_uu'), ('sum_x', 'sum_v'), ('sum_xx', 'sum_vv'),
            ('sum_xy', 'sum_uv'),
        ] %}
            case
                when sums.metric_kind = 'ratio' then linearized_sums.{{ ratio_column }}
                else sums.{{ column }}
            end as {{ ratio_column }},
        {%- endfor %}
        -- the covariate's value for the variant: the pre-exposure mean, or ratio of sums
        case
            when sums.metric_kind = 'ratio' then sums.sum_x / nullif(sums.sum_m, 0)
            else sums.sum_x / sums.n_persons
        end as covariate_mean
    from sums
    left join linearized_sums
        on
            sums.experiment_key = linearized_sums.experiment_key
            and sums.variant = linearized_sums.variant
            and sums.metric_name = linearized_sums.metric_name
),

-- CUPED's theta (the covariate's pooled regression slope) and the covariate over all the
-- experiment's analysed persons
cuped_thetas as (
    select
        covariates.experiment_key,
        covariates.metric_name,
        (
            {{ exact_sum('covariates.sum_uv') }}
            - {{ exact_sum('covariates.sum_u') }} * {{ exact_sum('covariates.sum_v') }}
            / sum(covariates.n_persons)
        ) / nullif(
            {{ exact_sum('covariates.sum_vv') }}
            - {{ exact_sum('covariates.sum_v') }} * {{ exact_sum('covariates.sum_v') }}
            / sum(covariates.n_persons),
            0
        ) as cuped_theta,
        case
            when max(covariates.metric_kind) = 'ratio'
                then
                    {{ exact_sum('covariates.sum_x') }}
                    / nullif({{ exact_sum('covariates.sum_m') }}, 0)
            else {{ exact_sum('covariates.sum_x') }} / sum(covariates.n_persons)
        end as pooled_covariate_mean
    from covariates
    group by covariates.experiment_key, covariates.metric_name
),

moments as (
    select
        covariates.experiment_key,
        covariates.variant,
        covariates.metric_name,
        covariates.metric_kind,
        covariates.n_persons,
        covariates.sum_y,
        covariates.sum_d,
        covariates.sum_y / covariates.n_persons as mean_y,
        covariates.sum_d / covariates.n_persons as mean_d,
        (covariates.sum_yy - covariates.sum_y * covariates.sum_y / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as var_y,
        (covariates.sum_dd - covariates.sum_d * covariates.sum_d / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as var_d,
        (covariates.sum_yd - covariates.sum_y * covariates.sum_d / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as cov_yd,
        (covariates.sum_uu - covariates.sum_u * covariates.sum_u / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as var_u,
        (covariates.sum_vv - covariates.sum_v * covariates.sum_v / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as var_v,
        (covariates.sum_uv - covariates.sum_u * covariates.sum_v / covariates.n_persons)
        / nullif(covariates.n_persons - 1, 0) as cov_uv,
        covariates.covariate_mean,
        -- no variance in the covariate: CUPED changes nothing
        coalesce(cuped_thetas.cuped_theta, 0) as cuped_theta,
        cuped_thetas.pooled_covariate_mean
    from covariates
    inner join cuped_thetas
        on
            covariates.experiment_key = cuped_thetas.experiment_key
            and covariates.metric_name = cuped_thetas.metric_name
),

estimates as (
    select
        variants.experiment_variant_id,
        variants.is_control,
        moments.*,
        case
            when moments.metric_kind = 'ratio' then moments.sum_y / nullif(moments.sum_d, 0)
            else moments.mean_y
        end as metric_mean,
        sqrt(case when moments.var_y < 0 then 0 else moments.var_y end) as metric_std_dev,
        -- the variance of metric_mean
        case
            when moments.metric_kind = 'ratio'
                then (
                    moments.var_y / nullif(moments.mean_d * moments.mean_d, 0)
                    - 2 * moments.mean_y * moments.cov_yd
                    / nullif(moments.mean_d * moments.mean_d * moments.mean_d, 0)
                    + moments.mean_y * moments.mean_y * moments.var_d
                    / nullif(moments.mean_d * moments.mean_d * moments.mean_d * moments.mean_d, 0)
                ) / moments.n_persons
            else moments.var_y / moments.n_persons
        end as mean_variance
    from moments
    inner join variants
        on
            moments.experiment_key = variants.experiment_key
            and moments.variant = variants.variant
),

adjusted as (
    select
        *,
        metric_mean
        - cuped_theta * coalesce(covariate_mean - pooled_covariate_mean, 0) as cuped_mean,
        (
            var_u - 2 * cuped_theta * coalesce(cov_uv, 0)
            + cuped_theta * cuped_theta * coalesce(var_v, 0)
        ) / n_persons as cuped_mean_variance
    from estimates
),

-- each variant beside its control (a control row has no control: its lifts stay null)
compared as (
    select
        adjusted.*,
        control.n_persons as control_n_persons,
        control.metric_mean as control_metric_mean,
        (control.sum_y + adjusted.sum_y) / (control.n_persons + adjusted.n_persons)
            as pooled_mean_y,
        adjusted.metric_mean - control.metric_mean as absolute_lift,
        adjusted.mean_variance + control.mean_variance as lift_variance,
        -- Welch-Satterthwaite
        (adjusted.mean_variance + control.mean_variance)
        * (adjusted.mean_variance + control.mean_variance)
        / nullif(
            adjusted.mean_variance * adjusted.mean_variance / nullif(adjusted.n_persons - 1, 0)
            + control.mean_variance * control.mean_variance / nullif(control.n_persons - 1, 0),
            0
        ) as welch_degrees_of_freedom,
        -- the relative lift's variance by the delta method
        adjusted.mean_variance / nullif(control.metric_mean * control.metric_mean, 0)
        + adjusted.metric_mean * adjusted.metric_mean * control.mean_variance
        / nullif(
            control.metric_mean * control.metric_mean * control.metric_mean * control.metric_mean,
            0
        ) as relative_lift_variance,
        adjusted.cuped_mean - control.cuped_mean as cuped_absolute_lift,
        adjusted.cuped_mean_variance + control.cuped_mean_variance as cuped_lift_variance,
        (adjusted.cuped_mean_variance + control.cuped_mean_variance)
        * (adjusted.cuped_mean_variance + control.cuped_mean_variance)
        / nullif(
            adjusted.cuped_mean_variance * adjusted.cuped_mean_variance
            / nullif(adjusted.n_persons - 1, 0)
            + control.cuped_mean_variance * control.cuped_mean_variance
            / nullif(control.n_persons - 1, 0),
            0
        ) as cuped_welch_degrees_of_freedom
    from adjusted
    left join adjusted as control
        on
            adjusted.experiment_key = control.experiment_key
            and adjusted.metric_name = control.metric_name
            and control.is_control
            and not adjusted.is_control
),

-- a variance a hair under 0 (rounding, no spread at all) is 0
standard_errors as (
    select
        *,
        sqrt(case when lift_variance < 0 then 0 else lift_variance end) as standard_error,
        sqrt(case when cuped_lift_variance < 0 then 0 else cuped_lift_variance end)
            as cuped_standard_error,
        sqrt(case when relative_lift_variance < 0 then 0 else relative_lift_variance end)
            as relative_standard_error
    from compared
),

statistics as (
    select
        standard_errors.*,
        case
            when standard_errors.metric_kind = 'mean' then standard_errors.welch_degrees_of_freedom
        end as degrees_of_freedom,
        case
            -- pooled, as the two-proportion z-test is; no test without a spread in each arm
            when standard_errors.metric_kind = 'proportion' and standard_errors.standard_error > 0
                then standard_errors.absolute_lift / nullif(sqrt(
                    standard_errors.pooled_mean_y * (1 - standard_errors.pooled_mean_y)
                    * (
                        {{ safe_divide('1', 'standard_errors.n_persons') }}
                        + {{ safe_divide('1', 'standard_errors.control_n_persons') }}
                    )
                ), 0)
            else standard_errors.absolute_lift / nullif(standard_errors.standard_error, 0)
        end as test_statistic,
        case
            when standard_errors.metric_kind = 'mean'
                then {{ student_t_quantile(
                    'confidence.z', 'standard_errors.welch_degrees_of_freedom'
                ) }}
            else confidence.z
        end as critical_value,
        case
            when standard_errors.metric_kind = 'mean'
                then {{ student_t_quantile(
                    'confidence.z', 'standard_errors.cuped_welch_degrees_of_freedom'
                ) }}
            else confidence.z
        end as cuped_critical_value
    from standard_errors
    cross join confidence
),

readout as (
    select
        {{ surrogate_key([
            'statistics.experiment_key', 'statistics.metric_name', 'statistics.variant'
        ]) }} as experiment_result_id,
        statistics.experiment_key,
        statistics.metric_name,
        statistics.metric_kind,
        coalesce(metric_roles.metric_role, 'secondary') as metric_role,
        statistics.variant,
        statistics.is_control,
        statistics.n_persons,
        statistics.metric_mean,
        statistics.metric_std_dev,
        statistics.control_n_persons,
        statistics.control_metric_mean,
        statistics.absolute_lift,
        statistics.absolute_lift / nullif(statistics.control_metric_mean, 0) as relative_lift,
        statistics.standard_error,
        statistics.absolute_lift - statistics.critical_value * statistics.standard_error
            as ci_lower,
        statistics.absolute_lift + statistics.critical_value * statistics.standard_error
            as ci_upper,
        statistics.absolute_lift / nullif(statistics.control_metric_mean, 0)
        - statistics.critical_value * statistics.relative_standard_error as relative_ci_lower,
        statistics.absolute_lift / nullif(statistics.control_metric_mean, 0)
        + statistics.critical_value * statistics.relative_standard_error as relative_ci_upper,
        case
            when statistics.metric_kind = 'proportion' then 'two_proportion_z_test'
            when statistics.metric_kind = 'mean' then 'welch_t_test'
            else 'delta_method_z_test'
        end as statistical_test,
        statistics.test_statistic,
        statistics.degrees_of_freedom,
        case
            when statistics.metric_kind = 'mean'
                then {{ student_t_two_sided_p_value(
                    'statistics.test_statistic', 'statistics.degrees_of_freedom'
                ) }}
            else {{ normal_two_sided_p_value('statistics.test_statistic') }}
        end as p_value,
        statistics.cuped_theta,
        statistics.cuped_absolute_lift,
        statistics.cuped_standard_error,
        statistics.cuped_absolute_lift
        - statistics.cuped_critical_value * statistics.cuped_standard_error as cuped_ci_lower,
        statistics.cuped_absolute_lift
        + statistics.cuped_critical_value * statistics.cuped_standard_error as cuped_ci_upper,
        case
            when statistics.metric_kind = 'mean'
                then {{ student_t_two_sided_p_value(
                    'statistics.cuped_absolute_lift / nullif(statistics.cuped_standard_error, 0)',
                    'statistics.cuped_welch_degrees_of_freedom'
                ) }}
            else {{ normal_two_sided_p_value(
                'statistics.cuped_absolute_lift / nullif(statistics.cuped_standard_error, 0)'
            ) }}
        end as cuped_p_value,
        1 - statistics.cuped_standard_error * statistics.cuped_standard_error
        / nullif(statistics.standard_error * statistics.standard_error, 0)
            as cuped_variance_reduction,
        sample_ratios.srm_p_value,
        coalesce(sample_ratios.has_srm, false) as has_srm
    from statistics
    left join metric_roles
        on
            statistics.experiment_key = metric_roles.experiment_key
            and statistics.metric_name = metric_roles.metric_name
    left join sample_ratios
        on statistics.experiment_key = sample_ratios.experiment_key
),

final as (
    select
        *,
        coalesce(p_value < {{ var('experiment_alpha') }}, false) as is_significant,
        not has_srm as is_trustworthy
    from readout
)

select * from final
