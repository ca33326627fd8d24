//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use attribution::io::{TimeFormat, Timezone};
use attribution::model::Registry;

use crate::output::Format;

const ABOUT: &str =
    "Multi-channel marketing attribution: which channels turned leads into customers?";

const LONG_ABOUT: &str = "\
Multi-channel marketing attribution: which channels turned leads into customers?

Reads customer journeys from CSV (aggregated paths, one row per journey, or a raw event
log) and shares each conversion and its value among the channels that touched the
customer, with heuristic models (first touch, last touch, linear, position-based, time
decay) and exact Markov-chain removal effects.

Example:
  attribution attribute examples/data/events.csv --shape events --lookback 30d
  attribution attribute paths.csv --model markov --order 2 --format csv --output credit.csv
  attribution attribute paths.csv --model markov:order=3 --model position-based:first=0.3,last=0.3
  attribution state day1.csv --model markov:order=2 -o day1.state   (then: merge day*.state)
  attribution compare paths.csv --format csv --kendall tau.csv

Exit codes:
  0  success; also when the reader of the output goes away (`attribution … | head`)
  2  bad input data, an input that cannot be opened or read (missing file, directory),
     bad options or usage
  3  internal or numerical failure (e.g. a solver that did not converge), or output that
     cannot be written (disk full, standard output closed)
Errors go to stderr; progress too, but only when stderr is a terminal.";

/// The `attribution` command.
#[derive(Debug, Parser)]
#[command(name = "attribution", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attribute conversions and value to channels with one or more models.
    Attribute(AttributeArgs),
    /// Write the Markov chain's transition matrix (CSV, JSON) or graph (DOT).
    #[command(after_help = TRANSITIONS_HELP)]
    Transitions(TransitionsArgs),
    /// Compare Markov orders 1..K (states, likelihood, cross-validated log-loss and AUC).
    #[command(after_help = CHOOSE_ORDER_HELP)]
    ChooseOrder(ChooseOrderArgs),
    /// Build journeys (e.g. from an event log) and write them in the `journeys` shape.
    #[command(after_help = JOURNEYS_HELP)]
    Journeys(JourneysArgs),
    /// Write the models' partial states of an input to a file, for `merge`.
    #[command(after_help = STATE_HELP)]
    State(StateArgs),
    /// Merge state files (any number, any order) and write what `attribute` writes.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Compare models in one pass: shares, ranks, Kendall's tau-b, the channel most models rank first.
    Compare(CompareArgs),
    /// Simulate journeys with known channel effects (optionally shaped like an input).
    #[command(after_help = SIMULATE_HELP)]
    Simulate(SimulateArgs),
    /// Score models against known channel effects: on an input, or on simulations shaped like it.
    Evaluate(EvaluateArgs),
}

const JOURNEYS_HELP: &str = "\
Writes journey_id,path,converted,value,touch_times,conversion_time (touches and times joined
by --sep), so that a build from an event log can be inspected and reused; a user with several
journeys gets a journey_index column (1, 2, ...) next to the unchanged user id:
  attribution journeys events.csv --shape events --lookback 30d > journeys.csv
  attribution attribute journeys.csv --shape journeys --model all";

const TRANSITIONS_HELP: &str = "\
CSV/JSON rows: from,to,probability,count. States of order k are written `a > b`; the reserved
states are (start), (conversion) and (null). DOT draws the customer-journey graph:
  attribution transitions paths.csv --order 1 --format dot | dot -Tsvg > chain.svg
With a dozen channels or more, keep the main edges: --top 3 keeps the three most probable
transitions out of each state, --min-probability 0.05 drops rarer ones (both filter CSV and
JSON rows too; kept edges show the full chain's probabilities).";

const CHOOSE_ORDER_HELP: &str = "\
For each order 1..K: states, transitions, free parameters, in-sample log-likelihood and BIC,
and a deterministic k-fold cross-validated log-loss and ROC AUC of the chain as a conversion
classifier (journey i is in fold i mod k). The suggested order has the lowest cross-validated
log-loss; see the library's `select_order` for the exact definitions. On a terminal, stderr
shows which order is being computed.";

/// Output format of `transitions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransitionsFormat {
    /// from,to,probability,count.
    Csv,
    /// The rows as an array of JSON objects.
    Json,
    /// Graphviz DOT with edge labels `probability (count)`.
    Dot,
}

/// `attribution transitions`.
#[derive(Debug, Args)]
pub struct TransitionsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Threads for reading paths and journeys files: 0 (the default) uses
    /// every core, more than the cores are capped to the cores, 1 reads
    /// sequentially. Results can differ from a 1-thread run by float
    /// rounding only.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    /// Markov order: states are windows of K consecutive touches.
    #[arg(long, default_value_t = 1)]
    pub order: usize,

    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TransitionsFormat,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Keep only transitions of probability at least P (0 to 1), in every
    /// format. DOT also leaves out states left without an edge.
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.0,
        hide_default_value = true
    )]
    pub min_probability: f64,

    /// Keep only the N most probable transitions out of each state (and out of
    /// (start)), in every format.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Output format of `choose-order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderFormat {
    /// One aligned table for people, and the suggested order.
    Table,
    /// order,states,transitions,parameters,log_likelihood,bic,cv_log_loss,cv_auc; full precision.
    Csv,
    /// {"orders": [the CSV rows as objects], "folds", "suggested_order", "rule"}.
    Json,
}

/// `attribution choose-order`.
#[derive(Debug, Args)]
pub struct ChooseOrderArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Compare orders 1 to K (at most 32). Orders above the longest
    /// journey's number of touches would repeat it: they are not computed.
    #[arg(long, value_name = "K", default_value_t = 4)]
    pub max_order: usize,

    /// Cross-validation folds: at least 2, at most the number of journeys.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub folds: usize,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OrderFormat,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// How journeys are built from an event log (`--shape events`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Building journeys from events (--shape events)")]
pub struct BuildArgs {
    /// Drop touches older than this before each conversion (e.g. `30d`; units s m h d w).
    #[arg(long, value_name = "DURATION")]
    pub lookback: Option<String>,

    /// A gap longer than this between a user's events starts a new journey (e.g. `30m`).
    #[arg(long, value_name = "DURATION")]
    pub session_timeout: Option<String>,

    /// One journey per user instead of splitting after each conversion.
    #[arg(long)]
    pub no_split: bool,

    /// Collapse consecutive touches on the same channel into one.
    #[arg(long)]
    pub collapse_repeats: bool,

    /// Channels to leave out of journeys (comma-separated), e.g. `Direct,Unknown`.
    #[arg(long, value_delimiter = ',', value_name = "CHANNELS")]
    pub exclude: Vec<String>,

    /// Keep at most the last N touches of each journey.
    #[arg(long, value_name = "N")]
    pub max_touches: Option<usize>,

    /// Drop duplicate events (same user, time, channel).
    #[arg(long)]
    pub drop_duplicates: bool,

    /// The input is sorted by (user, time): stream it, one user in memory at a time.
    #[arg(long)]
    pub sorted: bool,
}

/// `attribution journeys`.
#[derive(Debug, Args)]
pub struct JourneysArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Path transform applied to every journey before it is written;
    /// repeatable, applied in the order given (see `attribute --help`).
    /// `frequency` tokens are written `Name(count)`, for display only.
    #[arg(long, value_name = "T")]
    pub transform: Vec<String>,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// The models' options: `--model` and the flags that set model parameters
/// (shared by `attribute` and `state`).
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Models to run: specs NAME[:KEY=VALUE,...] (e.g. `markov:order=2`,
    /// `position-based:first=0.3,last=0.3`), repeated or comma-separated, or
    /// `all` (see the models below).
    #[arg(long, default_value = "all", value_name = "SPEC[,SPEC...]")]
    pub model: Vec<String>,

    /// Channels counted as direct traffic by last-non-direct (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "Direct")]
    pub direct: Vec<String>,

    /// Linear model variant.
    #[arg(long, value_enum, default_value = "touch")]
    pub linear: LinearArg,

    /// Position-based weights of the first and last touch, e.g. `0.4,0.4`.
    #[arg(long, default_value = "0.4,0.4", value_name = "FIRST,LAST")]
    pub position_weights: String,

    /// Time-decay half-life: a number with unit s, m, h, d or w (e.g. `7d`, `36h`).
    #[arg(long, default_value = "7d")]
    pub half_life: String,

    /// Markov order: states are windows of K consecutive touches. Several
    /// orders, comma-separated (e.g. `1,2,3`), run one Markov model each,
    /// labelled `markov:order=K` in the output (order 1 alone: `markov`).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1",
        value_name = "K[,K...]"
    )]
    pub order: Vec<usize>,

    /// Cap Markov journeys at N steps (reproduces a step-capped simulation); default: exact, uncapped.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<usize>,

    /// Position-decay ratio r in (0, 1]: a touch k steps before the last weighs r^k.
    #[arg(long, default_value_t = 0.5)]
    pub decay_rate: f64,

    /// shapley-ordered: positions P and later pool into one `P+` bucket (0: no cap).
    #[arg(long, value_name = "P", default_value_t = 0, hide_default_value = true)]
    pub max_position: usize,

    /// shao-li: normalise contributions globally (mta's) or per journey.
    #[arg(long, value_enum, default_value = "global")]
    pub shao_normalise: ShaoNormaliseArg,

    /// shapley-rate's local game on each observed channel set: its conversion rate
    /// R/N, its conversions R, or its value V.
    #[arg(long, value_enum, default_value = "rate")]
    pub shapley_value: ShapleyValueArg,

    /// shapley-rate: keep at most K distinct channels per journey (0: all).
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub shapley_max_channels: usize,

    /// Path transform applied to every journey before every model; repeatable,
    /// applied in the order given: unique, exposure, first, frequency (last),
    /// trim-last:N, remove-if-not-all:CHANNEL, remove-if-last-and-not-all:CHANNEL.
    /// States carry the list (states of different lists do not merge); the
    /// `model` column names the model without it (one list for the whole run).
    #[arg(long, value_name = "T")]
    pub transform: Vec<String>,

    /// shapley-rate: which K channels --shapley-max-channels keeps: the most recently
    /// touched, or the alphabetically last (as marketing-attribution-models does).
    #[arg(long, value_enum, default_value = "recent")]
    pub shapley_keep: ShapleyKeepArg,
}

/// shapley-rate's local game (`--shapley-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShapleyValueArg {
    /// R(T)/N(T): the conversion rate of the journeys with exactly the set T.
    Rate,
    /// R(T): their conversions.
    Count,
    /// V(T): their value.
    Value,
}

/// Which channels `--shapley-max-channels` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShapleyKeepArg {
    /// The most recently touched distinct channels.
    Recent,
    /// The alphabetically last channel names.
    Alphabetical,
}

/// How shao-li normalises contributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShaoNormaliseArg {
    /// Σ conversions × contribution, rescaled once to the total conversions.
    Global,
    /// Each converting journey's contributions sum to its conversions.
    Journey,
}

/// The part of `attribute --help` after the models (which come from the
/// registry: [`crate::models::models_help`]).
const ATTRIBUTE_HELP: &str = "\
`all` runs every model the input supports (models that need timestamps, such as time-decay,
only when it carries them); the table's footnote, or a `note:` on stderr for csv/json, names
the models left out. A model option given while its model does not run, or a build option on
a paths or journeys input, gets a `warning:` on stderr; an invalid value is an error even then.

Input shapes (--shape; columns are matched by name, in any order):
  paths     path,total_conversions,total_null[,total_conversion_value]
  journeys  journey_id[,journey_index],path,converted[,value][,touch_times][,conversion_time]
  events    user_id,timestamp,channel,conversion[,value]  (see the build options above);
            with --conversion-event NAME: user_id,timestamp,channel,event_name[,value]

Output: --format table (for people: each model's credit and share of its total, footnotes),
csv (model,channel,conversions,value,removal_effect; full precision) or json (the CSV rows as
objects). The model column holds the model's name, or NAME:KEY=VALUE with the parameters that
differ when several specs of one model run (markov:order=2, markov:order=3).
Extras, as CSV columns after removal_effect only when some row has them (empty elsewhere),
and as JSON keys only on the rows that have them:
  removal_effect_error  certified bound: |removal_effect - exact| <= it (markov)
  interval_level,conversions_lo,conversions_hi,value_lo,value_hi,share_lo,share_hi
                        an uncertainty interval at confidence interval_level (e.g. 0.95);
                        JSON: \"interval\": {level, conversions_lo, ...}
  positions             conversions by position in the journey (first touch first),
                        `|`-joined (shapley-ordered; JSON also has position_values and
                        positions_pooled; --positions FILE writes them one row each)
Model diagnostics (markov: states, transitions, solver, iterations and residual when the
solver reports them, error_bound = the largest removal_effect_error) are the JSON key
\"diagnostics\" on every row of the model, and a `diagnostics:` footnote of the table.
--per-journey FILE also writes journey_id,model,channel,conversions,value for every
converting journey under each model that credits journeys in one pass (the heuristics,
shapley, shapley-ordered and participation; not markov or shao-li, whose credit needs the
model fitted on the whole input, nor shapley-rate and shapley-exact-set, games over whole
channel sets; ids from the input, else the journey's 1-based position). participation
credits overlap: each channel of a converting journey gets all of it, so its credits sum to
more than the total (its share = the fraction of conversions whose journey touched the
channel); the table says so in a footnote, csv and json in a note on stderr, json also with
\"overlapping\": true on its rows.
A degenerate game is left out of `all` with a warning (shapley-exact-set when no converting
journey touched every channel); asked for by name it is an error. Exit codes: 0 ok, 2 bad input or options, 3 internal or numerical
failure or unwritable output (see `attribution --help`).";

/// `attribute --help` after the options: the registry's models, then the rest.
pub fn attribute_help(registry: &Registry) -> String {
    format!("{}\n{ATTRIBUTE_HELP}", crate::models::models_help(registry))
}

const STATE_HELP: &str = "\
Reads the input as `attribute` does (same models, specs, flags and input options) and writes
the partial state of every model instead of credits: one file holding a versioned list of
states (each with its model's full spec and the channel names it counts). States of day
files, or of any split of the data, merge into the state of one pass:
  attribution state monday.csv --model markov:order=2 --model linear -o monday.state
  attribution state tuesday.csv --model markov:order=2 --model linear -o tuesday.state
  attribution merge monday.state tuesday.state --format csv
--state-format binary (the default; compact, for engines) or json (for people). A state file
starts with the bytes ATTRBNDL and the format version; readers refuse other versions.";

const MERGE_HELP: &str = "\
Reads every FILE (written by `state`, binary or JSON, in any order), merges the states of
equal model specs, channels matched by name, and writes exactly what `attribute` writes on
the whole data: the channels of the first file in its order, then new ones in file order (so
day files given in order reproduce one pass). Files that hold states of other models or other
parameters, and files that are not state files or are damaged, are errors naming the file
(exit code 2).";

/// Encoding of the state file of `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFormat {
    /// Compact bytes (postcard), for engines.
    Binary,
    /// Pretty-printed JSON, for people.
    Json,
}

/// `attribution state`.
#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Threads for reading paths and journeys files: 0 (the default) uses
    /// every core, more than the cores are capped to the cores, 1 reads
    /// sequentially.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    #[command(flatten)]
    pub models: ModelArgs,

    /// Write the states to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Encoding of the state file.
    #[arg(long, value_enum, default_value = "binary")]
    pub state_format: StateFormat,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// `attribution merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// State files written by `attribution state`.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The command line of the program, with the models of `registry` in
/// `attribute --help` and `state --help`.
pub fn command(registry: &Registry) -> clap::Command {
    use clap::CommandFactory;
    let models = crate::models::models_help(registry);
    Cli::command()
        .mut_subcommand("attribute", |c| c.after_help(attribute_help(registry)))
        .mut_subcommand("state", |c| c.after_help(format!("{models}\n{STATE_HELP}")))
        .mut_subcommand("compare", |c| {
            c.after_help(format!("{models}\n{COMPARE_HELP}"))
        })
        .mut_subcommand("evaluate", |c| {
            c.after_help(format!("{models}\n{EVALUATE_HELP}"))
        })
}

const COMPARE_HELP: &str = "\
Reads the input once into every model (one state per model, as `attribute` does), then compares
their results. `all` (the default) runs every model the input supports; a note or footnote names
those left out.

Per channel and model: the share of the model's attributed conversions (--by value: value) and
the channel's rank (1 = most credit; tied channels share the best rank, the next rank skips:
1, 2, 2, 4; credits within 1e-9 of the largest are tied). A share is the credit divided by the
sum of the model's credits, so a model's shares sum to 100%; a model whose credits do not sum to
its conversions (one that gives every channel of a journey the whole conversion) gets shares of
its conversions instead, and a note says so. A negative credit gives a negative share and the
last ranks. Kendall's tau-b compares every two models' rankings (ties handled; undefined when a
model ties every channel). The leader is the channel ranked first under the most models (ties:
the better mean rank, then input order); the output says which models rank another channel
first and on which channels their ranks differ most.

Output: --format table (for people: shares and ranks, the tau-b matrix, the verdict in words),
csv (long: model,channel,conversions,value,share,rank; full precision; an empty share when a
model has nothing to share) or json (the library's Comparison: models, channels with their cells,
kendall matrix, leader, spreads, dissents). --kendall FILE also writes the tau-b matrix as CSV
(model,MODEL...; empty where undefined), with any format:
  attribution compare paths.csv --format csv -o shares.csv --kendall tau.csv
Exit codes: 0 ok, 2 bad input or options, 3 internal or numerical failure or unwritable output.";

const EVALUATE_HELP: &str = "\
Scores every model against known channel effects. The true credit of a channel is the Shapley
value of the truth model's conversion probability over each path's distinct channels (removing
channels shortens the path and moves the remaining touches nearer its end), summed over the
journeys: the conversions the channel caused under the model. The rest, journeys times the
conversion probability with no touch, is the (baseline).

Per model, its attributed conversions x are scored against the true credit t over the input's
channels: spearman (rank correlation, ties at their mean rank), kendall_tau_b, sign_agreement
(share of channels whose credit has the truth's sign; zero is its own sign), share_error (half
the sum of |x/sum|x| - t/sum|t||: 0 = the same shares, 1 = disjoint) and top1 (1 when the
models' top channel is the truth's). Values within 1e-12 of the largest |value| tie. Models come
best first: spearman, then share_error.

  attribution evaluate sim.csv --truth-model effects.csv --truth-out truth.csv
  attribution evaluate sim.csv --truth truth.csv --model markov,dda --format csv
  attribution evaluate --like paths.csv --replicates 20

With --like INPUT, replicate r (0..R-1) is `simulate --like INPUT --seed S+r` with the same
simulation options, scored against its own effects; the output gives per model and metric the
mean and the 10th and 90th percentiles over the replicates (csv/json:
model,metric,mean,p10,p90,defined, where defined counts the replicates the metric was defined
on), and a closing sentence names the model that tracked the truth best. A simulation is only
as good as its truth model: try --recency-half-life and --synergy-sd, so that no model wins by
construction.
Exit codes: 0 ok, 2 bad input or options (an effects or truth file that does not cover the
input's channels, an unknown term, ...), 3 internal or numerical failure or unwritable output.";

/// What `compare` shares out and ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Attributed conversions.
    Conversions,
    /// Attributed value (needs a value column).
    Value,
}

/// Output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// Shares and ranks, the tau-b matrix and the verdict, for people.
    Table,
    /// model,channel,conversions,value,share,rank; full precision.
    Csv,
    /// The whole comparison as one JSON object.
    Json,
}

/// `attribution compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Threads for reading paths and journeys files: 0 (the default) uses
    /// every core, more than the cores are capped to the cores, 1 reads
    /// sequentially.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    #[command(flatten)]
    pub models: ModelArgs,

    /// Share out and rank by attributed conversions or value.
    #[arg(long, value_enum, default_value = "conversions")]
    pub by: ByArg,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CompareFormat,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the Kendall tau-b matrix to FILE (CSV: model,MODEL...).
    #[arg(long, value_name = "FILE")]
    pub kendall: Option<PathBuf>,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Input shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    /// Aggregated paths: path,total_conversions,total_null[,total_conversion_value].
    Paths,
    /// One row per journey: journey_id,path,converted[,value][,touch_times][,conversion_time].
    Journeys,
    /// A raw touch log: user_id,timestamp,channel,conversion[,value], any order.
    Events,
}

/// How the linear model shares a journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinearArg {
    /// 1/L per touch (a channel touched twice gets 2/L).
    Touch,
    /// 1/k per distinct channel.
    Channel,
}

/// Where and how to read the input.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input CSV file, or `-` for standard input.
    pub input: String,

    #[command(flatten)]
    pub read: ReadArgs,
}

impl std::ops::Deref for InputArgs {
    type Target = ReadArgs;

    fn deref(&self) -> &ReadArgs {
        &self.read
    }
}

impl InputArgs {
    /// The input `input`, read as `read` says.
    pub fn new(input: String, read: ReadArgs) -> Self {
        Self { input, read }
    }
}

/// How to read an input (every input option but the file itself): shared by
/// the commands that take the input as an argument and those that take it
/// as an option (`simulate --like INPUT`).
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Input shape.
    #[arg(long, value_enum, default_value = "paths")]
    pub shape: ShapeArg,

    /// Field delimiter: `,` `;` `tab` (or `\t`). Default: detected from the header.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Separator between the touches of a path (any string; tokens are trimmed).
    #[arg(long, default_value = ">")]
    pub sep: String,

    /// Use another column name: ROLE=NAME, e.g. `--column path=channel_path`.
    /// Roles: path, conversions, nulls, value (paths); journey_id, path, converted,
    /// value, touch_times, conversion_time (journeys); user_id, timestamp, channel,
    /// conversion, value, event (events). Repeatable.
    #[arg(long = "column", value_name = "ROLE=NAME")]
    pub columns: Vec<String>,

    /// Skip bad rows (counted per reason on stderr) instead of stopping at the first.
    #[arg(long)]
    pub lenient: bool,

    /// Ignore header columns the shape does not use instead of rejecting them.
    #[arg(long)]
    pub ignore_unknown_columns: bool,

    /// How timestamps (events: timestamp; journeys: touch_times, conversion_time) are
    /// written. `auto` detects each value: ISO 8601 / RFC 3339 with `T` or a space, with
    /// or without seconds and zone, a date alone (midnight), or a Unix time by its digits
    /// (up to 11: seconds, 13: milliseconds, 16: microseconds). Or `unix-s`, `unix-ms`,
    /// `unix-us`, or a strftime layout such as `%d/%m/%Y %H:%M`.
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub time_format: TimeFormat,

    /// Time zone of timestamps written without zone or offset: UTC, an offset such as
    /// `+02:00`, or an IANA name such as `Europe/Berlin` (daylight saving applies).
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub timezone: Timezone,

    /// Read numbers with a decimal comma (`120,50`) in value and count columns
    /// (always on in `;`-delimited files).
    #[arg(long)]
    pub decimal_comma: bool,

    /// Events: a row whose event column (`event_name`, or `--column event=NAME`) holds
    /// NAME is a conversion, e.g. `--conversion-event purchase` (repeatable or
    /// comma-separated). The conversion column is then optional, and rows that are
    /// neither a conversion nor have a channel are skipped and counted.
    #[arg(long = "conversion-event", value_name = "NAME", value_delimiter = ',')]
    pub conversion_events: Vec<String>,
}

/// `attribution attribute`.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Threads for reading paths and journeys files: 0 (the default) uses
    /// every core, more than the cores are capped to the cores, 1 reads
    /// sequentially. Results can differ from a 1-thread run by float
    /// rounding only.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    #[command(flatten)]
    pub models: ModelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write every converting journey's credit per model to FILE (CSV:
    /// journey_id,journey_index,model,channel,conversions,value; journeys
    /// without an id get their 1-based position; journey_index numbers the
    /// journeys of a user who has several, else it is empty). Heuristic models
    /// and shapley-ordered only: Markov and Shao & Li credit needs the model
    /// fitted on the whole input. Reads the input on one thread.
    #[arg(long, value_name = "FILE")]
    pub per_journey: Option<PathBuf>,

    /// Also write the credit by position of every model that has it
    /// (shapley-ordered) to FILE (CSV: model,channel,position,conversions,value;
    /// one row per channel and position, positions 1-based, `P+` for the
    /// bucket pooling position P and later under --max-position P).
    #[arg(long, value_name = "FILE")]
    pub positions: Option<PathBuf>,

    /// Also write the fitted terms of every dda model to FILE (CSV:
    /// model,term,coefficient,odds_ratio; term is (intercept), a channel, or
    /// `A * B` for a pair of logit-pairwise, A first in the input;
    /// odds_ratio = e^coefficient; smoothed-set lists its logit prior's).
    #[arg(long, value_name = "FILE")]
    pub coefficients: Option<PathBuf>,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// The simulation's parameters, shared by `simulate` and `evaluate --like`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Simulation")]
pub struct SimulationArgs {
    /// Number of journeys [default: 100000; with --like, the input's journeys].
    #[arg(long, value_name = "N")]
    pub journeys: Option<u64>,

    /// Number of channels, named ch00, ch01, ... [default: 12; not with --like].
    #[arg(long, value_name = "C")]
    pub channels: Option<usize>,

    /// Seed of the random generator (evaluate: of replicate 0; replicate r uses S + r).
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Standard deviation of the channel effects (logit scale), >= 0.
    #[arg(long, value_name = "SD", default_value_t = 0.35)]
    pub effect_sd: f64,

    /// Standard deviation of the pair (synergy) effects, >= 0; 0 writes no pair terms.
    #[arg(long, value_name = "SD", default_value_t = 0.0)]
    pub synergy_sd: f64,

    /// Recency half-life H in touches (> 0): a channel's effect halves for every H touches
    /// between its last touch and the end of the path. Default: presence (no recency).
    #[arg(long, value_name = "H")]
    pub recency_half_life: Option<f64>,

    /// Logit effect of each touch beyond the first (the length term).
    #[arg(long, value_name = "L", default_value_t = 0.15)]
    pub length_effect: f64,

    /// Extra touches counted by the length term at most.
    #[arg(long, value_name = "K", default_value_t = 6)]
    pub length_cap: u32,
}

const SIMULATE_HELP: &str = "\
Draws journeys whose conversion law is known, so that models can be scored against what the
channels caused (`attribution evaluate`). Each journey converts with probability
p = 1/(1 + e^-z), z = intercept + sum of the effects of its distinct channels (weighted by
recency when --recency-half-life is set) + the pair terms of the channels present +
length-effect * min(touches - 1, length-cap).

Without --like: channels ch00.. with popularity proportional to 1/rank^0.9, lengths
min(20, Geometric(0.3)), each later touch repeats the previous channel with probability 0.25;
intercept -2.2. With --like INPUT: INPUT's channel names, first-touch, transition and
path-length frequencies, and the intercept solved so that the expected conversion rate is
INPUT's. Effects are drawn from N(0, effect-sd) per channel (and N(0, synergy-sd) per pair).

Output: the paths shape (path,total_conversions,total_null,total_conversion_value; one row
per distinct path, in order of first occurrence; value is a LogNormal(3, 0.6) draw per
conversion, summed) and, with --effects-out, the effects used (term,value), which
`evaluate --truth-model` reads:
  attribution simulate -o sim.csv --effects-out effects.csv --journeys 100000 --seed 7
  attribution evaluate sim.csv --truth-model effects.csv
The same options and seed write the same bytes on every run and thread count.
Exit codes: 0 ok, 2 bad options or input (e.g. --like on an input with no conversions),
3 output that cannot be written.";

/// `attribution simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Write the simulated paths to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the effects used to FILE (term,value), for `evaluate --truth-model`.
    #[arg(long, value_name = "FILE")]
    pub effects_out: Option<PathBuf>,

    /// Shape the simulation like INPUT (read with the input options below): its channels,
    /// first touches, transitions, path lengths, journey count and conversion rate.
    #[arg(long, value_name = "INPUT")]
    pub like: Option<String>,

    /// Threads for reading --like INPUT (paths and journeys files): 0 (the default) uses
    /// every core. The simulation itself does not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    #[command(flatten)]
    pub simulation: SimulationArgs,

    #[command(flatten, next_help_heading = "Reading --like INPUT")]
    pub read: ReadArgs,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Output format of `evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvaluateFormat {
    /// One line per model, best first, for people.
    Table,
    /// model,spearman,kendall_tau_b,sign_agreement,share_error,top1 (replicates:
    /// model,metric,mean,p10,p90,defined); empty where a metric is undefined.
    Csv,
    /// The same rows as an array of JSON objects (null where undefined).
    Json,
}

/// `attribution evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Input file to score the models on (with --truth-model or --truth).
    #[arg(value_name = "INPUT", required_unless_present = "like")]
    pub input: Option<String>,

    /// The truth model (term,value, as `simulate --effects-out` writes): the true credit
    /// is computed on INPUT.
    #[arg(long, value_name = "EFFECTS", conflicts_with_all = ["truth", "like"])]
    pub truth_model: Option<PathBuf>,

    /// The true credit itself (channel,true_conversions), e.g. from --truth-out.
    #[arg(long, value_name = "TRUTH", conflicts_with = "like")]
    pub truth: Option<PathBuf>,

    /// Also write the true credit to FILE (channel,true_conversions; then (baseline)).
    #[arg(long, value_name = "FILE", conflicts_with = "like")]
    pub truth_out: Option<PathBuf>,

    /// Score on R simulations shaped like INPUT, each with fresh effects, instead of on
    /// INPUT itself.
    #[arg(long, value_name = "INPUT", conflicts_with = "input")]
    pub like: Option<String>,

    /// Number of simulations for --like.
    #[arg(long, value_name = "R", default_value_t = 20, requires = "like")]
    pub replicates: usize,

    /// Threads for reading the input and (with --like) for the replicates: 0 (the default)
    /// uses every core; more than the cores are capped to the cores. Results do not depend
    /// on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,

    #[command(flatten)]
    pub models: ModelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: EvaluateFormat,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub simulation: SimulationArgs,

    #[command(flatten, next_help_heading = "Reading the input")]
    pub read: ReadArgs,

    // Last: its help heading applies to the options that follow it.
    #[command(flatten)]
    pub build: BuildArgs,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!(
            "unsupported delimiter `{other}` (use `,` `;` `tab` or `|`)"
        )),
    }
}
