-- The floor: fct_metrics computed by hand in one DuckDB script, straight from the landed CSV
-- exports and the catalogue seeds, with none of the pipeline's machinery (no ingest checks, no
-- pseudonyms, no archive, no intermediate tables, no tests, no publishing). The benchmark runs
-- it with {landing} (a glob of the exports, one folder per authority named by its code) and
-- {seeds} (seeds/catalogue) filled in, and checks its result equals marts.fct_metrics.
-- It applies the same rules: latest submission per child and review, roll-ups, not-applicable
-- codes, skip logic, missing answers, the metric bases, calendar-year periods, and which form
-- versions could record each metric.

create temp table versions as
select
    form_version,
    row_number() over (order by first_used) as version_rank
from read_csv('{seeds}/form_versions.csv', all_varchar = true);

create temp table questions as
select
    q.*,
    string_split(q.asked_when_codes, '|') as asked_when_code_list,
    coalesce(since.version_rank, 0) as since_rank,
    coalesce(until.version_rank, 99) as until_rank
from read_csv('{seeds}/form_questions.csv', all_varchar = true) as q
left join versions as since on q.since_version = since.form_version
left join versions as until on q.until_version = until.form_version;

-- Every header each form version prints, and the question it asks.
create temp table headers as
select
    versions.form_version,
    versions.version_rank,
    questions.question_id,
    coalesce(own.header, questions.default_header) as header
from versions
inner join questions
    on versions.version_rank between questions.since_rank and questions.until_rank
left join read_csv('{seeds}/form_question_headers.csv', all_varchar = true) as own
    on questions.question_id = own.question_id and versions.form_version = own.form_version;

create temp table options as
select
    o.question_id,
    o.answer_code,
    o.answer_label,
    coalesce(o.rolls_up_to, o.answer_code) as rolled_up_code,
    o.excluded_from_answered = 'true' as is_excluded,
    coalesce(since.version_rank, 0) as since_rank,
    coalesce(until.version_rank, 99) as until_rank
from read_csv('{seeds}/form_answer_options.csv', all_varchar = true) as o
left join versions as since on o.since_version = since.form_version
left join versions as until on o.until_version = until.form_version;

create temp table metrics as
select
    m.metric_id,
    m.section_id,
    m.question_id,
    m.numerator_rule,
    b.unit,
    b.population,
    string_split(m.numerator_codes, '|') as numerator_codes,
    string_split(b.restrict_to_codes, '|') as restrict_to_codes
from read_csv('{seeds}/metrics.csv', all_varchar = true) as m
inner join read_csv('{seeds}/metric_bases.csv', all_varchar = true) as b on m.basis = b.basis;

-- The form versions that could record each metric: its question on the form, and one of its
-- numerator's options and of its basis restriction's options offered there (directly or by
-- roll-up). Audits on other versions are outside the metric's base.
create temp table recordable as
select
    metrics.metric_id,
    versions.version_rank
from metrics
cross join versions
left join questions on metrics.question_id = questions.question_id
where
    metrics.question_id is null
    or (
        versions.version_rank between questions.since_rank and questions.until_rank
        and exists (
            select 1 from options
            where
                options.question_id = metrics.question_id
                and versions.version_rank between options.since_rank and options.until_rank
                and (
                    list_contains(metrics.numerator_codes, options.answer_code)
                    or list_contains(metrics.numerator_codes, options.rolled_up_code)
                )
        )
        and (
            metrics.restrict_to_codes is null
            or exists (
                select 1 from options
                where
                    options.question_id = metrics.question_id
                    and versions.version_rank between options.since_rank and options.until_rank
                    and (
                        list_contains(metrics.restrict_to_codes, options.answer_code)
                        or list_contains(metrics.restrict_to_codes, options.rolled_up_code)
                    )
            )
        )
    );

-- Every line of every export as text, columns by position (the widest form has 44
-- columns: 48 leave room), with no type or dialect sniffing: a header line is one whose first
-- cell is the response-number header.
create temp table lines as
select
    row_number() over () as line_id,
    *
from read_csv(
    '{landing}',
    columns = {
        c00: 'varchar', c01: 'varchar', c02: 'varchar', c03: 'varchar', c04: 'varchar', c05: 'varchar',
        c06: 'varchar', c07: 'varchar', c08: 'varchar', c09: 'varchar', c10: 'varchar', c11: 'varchar',
        c12: 'varchar', c13: 'varchar', c14: 'varchar', c15: 'varchar', c16: 'varchar', c17: 'varchar',
        c18: 'varchar', c19: 'varchar', c20: 'varchar', c21: 'varchar', c22: 'varchar', c23: 'varchar',
        c24: 'varchar', c25: 'varchar', c26: 'varchar', c27: 'varchar', c28: 'varchar', c29: 'varchar',
        c30: 'varchar', c31: 'varchar', c32: 'varchar', c33: 'varchar', c34: 'varchar', c35: 'varchar',
        c36: 'varchar', c37: 'varchar', c38: 'varchar', c39: 'varchar', c40: 'varchar', c41: 'varchar',
        c42: 'varchar', c43: 'varchar', c44: 'varchar', c45: 'varchar', c46: 'varchar', c47: 'varchar'
    },
    header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
    null_padding = true, filename = true
);

create temp table file_headers as
unpivot (
    select
        filename,
        columns(* exclude (filename, line_id))
    from lines
    where c00 in (select header from headers where question_id = 'response_id')
)
on columns(* exclude (filename))
into name position value header;

-- A file's form version: the oldest that prints every header the file has.
create temp table files as
with candidates as (
    select
        file_headers.filename,
        versions.form_version,
        versions.version_rank
    from file_headers
    cross join versions
    left join headers
        on file_headers.header = headers.header and versions.form_version = headers.form_version
    group by all
    having count(*) = count(headers.header)
)

select
    row_number() over (order by filename) as file_id,
    filename,
    split_part(filename, '/', -2) as la_code,
    arg_min(form_version, version_rank) as form_version,
    min(version_rank) as version_rank
from candidates
group by filename;

-- Which question each column of each file holds.
create temp table file_columns as
select
    files.file_id,
    files.filename,
    file_headers.position,
    headers.question_id
from file_headers
inner join files on file_headers.filename = files.filename
inner join headers
    on file_headers.header = headers.header and files.form_version = headers.form_version;

-- Every cell of every export, long: file, row, question, text (null when blank).
create temp table cells as
select
    file_columns.file_id,
    long.line_id as source_row,
    file_columns.question_id,
    nullif(long.cell_text, '') as cell_text
from (
    unpivot (
        select
            filename,
            line_id,
            coalesce(columns(* exclude (filename, line_id)), '')
        from lines
        where c00 not in (select header from headers where question_id = 'response_id')
    )
    on columns(* exclude (filename, line_id))
    into name position value cell_text
) as long
inner join file_columns
    on long.filename = file_columns.filename and long.position = file_columns.position;

-- One row per submission: its authority (the folder), child, review and completion time.
create temp table submissions as
select
    cells.file_id,
    cells.source_row,
    files.version_rank,
    files.la_code,
    max(cells.cell_text) filter (where cells.question_id = 'child_id') as child_id,
    strptime(
        max(cells.cell_text) filter (where cells.question_id = 'review_date'), '%d/%m/%Y'
    ) as review_date,
    strptime(
        max(cells.cell_text) filter (where cells.question_id = 'completed_at'),
        '%d/%m/%Y %H:%M'
    ) as completed_at
from cells
inner join files on cells.file_id = files.file_id
where cells.question_id in ('child_id', 'review_date', 'completed_at')
group by all;

-- The submission that counts for each audit: the latest completion.
create temp table current_audits as
select
    file_id,
    source_row,
    version_rank,
    la_code,
    cast(extract(year from completed_at) as varchar) as time_period
from submissions
qualify row_number() over (
    partition by la_code, child_id, review_date
    order by completed_at desc, file_id desc, source_row desc
) = 1;

-- Answers of current audits: one row per question on the form and selected code (a blank
-- cell one row without a code), with roll-ups.
create temp table answers as
with choice_cells as (
    select
        current_audits.la_code,
        current_audits.time_period,
        current_audits.file_id,
        current_audits.source_row,
        cells.question_id,
        current_audits.version_rank,
        cells.cell_text
    from current_audits
    inner join cells
        on current_audits.file_id = cells.file_id and current_audits.source_row = cells.source_row
    inner join questions on cells.question_id = questions.question_id
    where questions.question_type in ('single', 'multi')
),

tokens as (
    select
        * exclude (cell_text),
        trim(unnest(
            case when cell_text is null then [null] else string_split(cell_text, ';') end
        )) as label
    from choice_cells
)

select
    tokens.* exclude (label),
    options.answer_code,
    options.rolled_up_code,
    coalesce(options.is_excluded, false) as is_excluded,
    case
        when tokens.label is null then 'blank'
        when options.answer_code is null then 'unrecognised'
        else 'answered'
    end as answer_status
from tokens
left join options
    on
        tokens.question_id = options.question_id
        and tokens.label = options.answer_label
        and tokens.version_rank between options.since_rank and options.until_rank
where tokens.label is null or tokens.label != '';

create temp table responses as
with grouped as (
    select
        la_code,
        time_period,
        file_id,
        source_row,
        question_id,
        min(answer_status) as answer_status,
        bool_and(is_excluded) as only_excluded,
        list_distinct(flatten(
            list([answer_code, rolled_up_code]) filter (where answer_code is not null)
        )) as matched_codes
    from answers
    group by all
)

select
    grouped.*,
    case
        when
            questions.asked_when_question is not null
            and not coalesce(list_has_any(parent.matched_codes, questions.asked_when_code_list), false)
            then case when grouped.answer_status = 'blank' then 'not_asked' else 'violation' end
        when grouped.answer_status = 'blank' then 'missing'
        when grouped.answer_status = 'unrecognised' then 'unrecognised'
        when grouped.only_excluded then 'not_applicable'
        else 'answered'
    end as response_status
from grouped
inner join questions on grouped.question_id = questions.question_id
left join grouped as parent
    on
        grouped.file_id = parent.file_id
        and grouped.source_row = parent.source_row
        and questions.asked_when_question = parent.question_id;

create temp table floor_metrics as
with metric_answers as (
    select
        metrics.metric_id,
        answers.file_id,
        answers.source_row,
        count(answers.answer_code) as selections,
        count(*) filter (
            where
                list_contains(metrics.numerator_codes, answers.answer_code)
                or list_contains(metrics.numerator_codes, answers.rolled_up_code)
        ) as matching
    from metrics
    inner join answers on metrics.question_id = answers.question_id
    group by all
),

per_audit as (
    select
        responses.la_code,
        responses.time_period,
        metrics.metric_id,
        metrics.unit,
        metrics.numerator_rule,
        metric_answers.selections,
        metric_answers.matching,
        responses.response_status in ('missing', 'unrecognised') as is_missing,
        metrics.population = 'all_audits'
        or (
            metrics.population = 'answered'
            and responses.response_status = 'answered'
            and (
                metrics.restrict_to_codes is null
                or list_has_any(responses.matched_codes, metrics.restrict_to_codes)
            )
        ) as in_population
    from metrics
    inner join responses on metrics.question_id = responses.question_id
    inner join metric_answers
        on
            metrics.metric_id = metric_answers.metric_id
            and responses.file_id = metric_answers.file_id
            and responses.source_row = metric_answers.source_row
    inner join files on responses.file_id = files.file_id
    inner join recordable
        on metrics.metric_id = recordable.metric_id and files.version_rank = recordable.version_rank
),
question_metrics as (
    select
        la_code,
        time_period,
        metric_id,
        sum(case
            when not in_population then 0
            when unit = 'selections' then matching
            when numerator_rule = 'selected' then least(matching, 1)
            when numerator_rule = 'not_selected' then case when matching = 0 then 1 else 0 end
            else 1
        end) as numerator,
        sum(case
            when not in_population then 0
            when unit = 'selections' then selections
            else 1
        end) as denominator,
        count(*) filter (where is_missing) as missing_answers
    from per_audit
    group by all
    having count(*) filter (where in_population or is_missing) > 0
),

count_metrics as (
    select
        current_audits.la_code,
        current_audits.time_period,
        metrics.metric_id,
        count(*) as numerator,
        null as denominator,
        0 as missing_answers
    from current_audits
    cross join metrics
    where metrics.question_id is null
    group by all
),

-- Every metric in every period with audits: without figures where none of the period's
-- audits was on a form that could record it.
grid as (
    select
        periods.la_code,
        periods.time_period,
        metrics.metric_id,
        metrics.question_id is null as is_count,
        bool_or(recordable.metric_id is not null) as is_available
    from (select distinct la_code, time_period, version_rank from current_audits) as periods
    cross join metrics
    left join recordable
        on metrics.metric_id = recordable.metric_id and periods.version_rank = recordable.version_rank
    group by all
),

all_metrics as (
    select
        grid.la_code,
        grid.time_period,
        grid.metric_id,
        case when grid.is_available then coalesce(counted.numerator, 0) end as numerator,
        case when grid.is_available and not grid.is_count
            then coalesce(counted.denominator, 0)
        end as denominator,
        case when grid.is_available then coalesce(counted.missing_answers, 0) end
            as missing_answers
    from grid
    left join (select * from question_metrics union all select * from count_metrics) as counted
        on
            grid.la_code = counted.la_code
            and grid.time_period = counted.time_period
            and grid.metric_id = counted.metric_id
)

select
    la_code,
    time_period,
    metric_id,
    cast(numerator as integer) as numerator,
    cast(denominator as integer) as denominator,
    cast(missing_answers as integer) as missing_answers,
    case when denominator > 0 then 100.0 * numerator / denominator end as percent
from all_metrics;
