"""The domain model, one module per concept."""

from .base import ClaimStatus, EditorialStatus  # noqa: F401
from .claims import (  # noqa: F401
    EmployeeAction,
    EmployeeActionKind,
    EmployeeActionTopic,
    Statement,
    StatementKind,
    StatementTopic,
)
from .contracts import Contract, ContractProduct, Metric, Observation, SaleRoute, SourceStatus  # noqa: F401
from .counts import PublicCount  # noqa: F401
from .gaps import (  # noqa: F401
    Gap,
    GapEvidence,
    GapStatus,
    Redaction,
    ReplyOutcome,
    RightOfReply,
    Severity,
    Signal,
    SignalEvidence,
    SignalStatus,
)
from .imports import ImportKind, ImportRun, ImportRunKeys, ImportRunRecord, ImportRunStatus  # noqa: F401
from .organisations import (  # noqa: F401
    Agency,
    AliasScheme,
    Company,
    CompanyAlias,
    CompanyRelationship,
    Product,
    ProductCapability,
    RelationshipKind,
)
from .policies import (  # noqa: F401
    ClauseChange,
    Commitment,
    CommitmentClause,
    CommitmentTopic,
    EffectiveBasis,
    Policy,
    PolicyVersion,
    Stance,
)
from .sources import Citation, LinkStatus, Source, SourceKind  # noqa: F401
from .taxonomy import Capability, CapabilityTopic, Topic  # noqa: F401
